/** What the fix-effects simulation takes a fix's placeholders for. MODEL is the finding's model, and is left to `-m`. */
export const PLACEHOLDER_VALUES: Readonly<Record<string, string>> = {
  'ADMIN-CIDRS': '192.0.2.0/24',
  TRACK: 'latest',
}

export const ADMIN_CIDRS = PLACEHOLDER_VALUES['ADMIN-CIDRS']!

/** The text with every placeholder the simulations can fill filled in. */
export function fillPlaceholders(value: string): string {
  let out = value
  for (const [placeholder, replacement] of Object.entries(PLACEHOLDER_VALUES)) out = out.replaceAll(placeholder, replacement)
  return out
}
