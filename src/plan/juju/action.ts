/** Building JujuActions: names, tags and targets spelled one way for every Juju planner. */
import type {Model} from '../../inventory/types.js'
import {normalizeUser} from '../../policy/users.js'
import type {JujuAction} from '../types.js'

/** `bob` / `bob@local` → `user-bob`; `bob@external` → `user-bob@external` (names.UserTag). */
export function userTag(user: string): string {
  return `user-${normalizeUser(user)}`
}

/** `prod:clite`, or just `clite` when no input named the controller. */
export function modelLabel(model: Pick<Model, 'controller' | 'name'>): string {
  return model.controller ? `${model.controller}:${model.name}` : model.name
}

/** The fields every model-scoped action shares. */
export function modelScope(model: Model): Pick<JujuAction, 'controller' | 'model' | 'modelUuid'> {
  return {controller: model.controller, model: model.name, ...(model.uuid ? {modelUuid: model.uuid} : {})}
}
