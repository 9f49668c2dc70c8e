/** Juju model names (juju/names `validModelName`): lower-case letters, digits and hyphens, not starting with a hyphen. */
export const JUJU_MODEL_NAME = /^[a-z0-9]+[a-z0-9-]*$/

/**
 * What qualifies the model's name (`QUALIFIER/NAME`, as `juju models` and `-m` spell it): Juju 4's
 * qualifier, else Juju 3's owner; undefined when no input said.
 */
export function modelQualifier(model: {qualifier?: string | undefined; owner?: string | undefined}): string | undefined {
  return model.qualifier ?? model.owner
}

/** What a fix command says when the model's Juju name is not known (a bundle read on its own). */
export const MODEL_PLACEHOLDER = 'MODEL'

/**
 * The model's name as a juju command takes it: its name, or `MODEL` when no input named it (the
 * label of a bundle read on its own is its file's name, never a model's) or when the name is not
 * one Juju accepts.
 */
export function jujuModelName(model: {name: string; unnamed?: true}): string {
  return model.unnamed || !JUJU_MODEL_NAME.test(model.name) ? MODEL_PLACEHOLDER : model.name
}
