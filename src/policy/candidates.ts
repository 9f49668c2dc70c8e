/**
 * How policy globs may spell an application or a model: every spelling a policy key, allowlist
 * entry or waiver target could use for it, to match with the helpers in ./glob.ts.
 */
import {modelQualifier} from '../inventory/model-name.js'
import type {Application, Model} from '../inventory/types.js'

/** How policy globs may spell an application. */
export function appCandidates(app: Application): string[] {
  const out = [app.name, `${app.model}/${app.name}`]
  if (app.controller) out.push(`${app.controller}:${app.model}/${app.name}`)
  return out
}

/** How policy globs may spell a model. */
export function modelCandidates(model: Model): string[] {
  const out = [model.name]
  const qualifier = modelQualifier(model)
  if (qualifier) out.push(`${qualifier}/${model.name}`)
  if (model.controller) out.push(`${model.controller}:${model.name}`)
  if (model.controller && qualifier) out.push(`${model.controller}:${qualifier}/${model.name}`)
  return out
}
