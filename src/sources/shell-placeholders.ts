/**
 * Manifests shipped as shell templates (MicroK8s's add-ons: `image: ...:$TAG`,
 * `allowPrivilegeEscalation: $ALLOWESCALATION`, a `$DEFAULT_CERT` line in a list) are filled in by
 * `envsubst` or a script before kubectl sees them. Unfilled, they either do not parse or hold a
 * string where Kubernetes takes another type: the error then says what the file is.
 */

/** `$NAME` or `${NAME}` in capitals. */
const PLACEHOLDER = /\$\{?[A-Z][A-Z0-9_]*\}?/

/** The whole value is a placeholder (`$ALLOWESCALATION`). */
export function isShellPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && new RegExp(`^${PLACEHOLDER.source}$`).test(value.trim())
}

/** The first placeholder on the given line (1-based) of the text, if any. */
export function shellPlaceholderOnLine(text: string, line: number): string | undefined {
  return text.split('\n', line)[line - 1]?.match(PLACEHOLDER)?.[0]
}

export function shellTemplateProblem(placeholder: string): string {
  return `${placeholder} is a shell template placeholder: fill the template in (envsubst, or the script that ships it) and give hardenctl the result`
}
