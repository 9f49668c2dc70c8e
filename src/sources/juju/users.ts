/**
 * `juju users --format=json|yaml` (a list) and `juju show-user NAME --format=json|yaml` (one
 * object), both of juju/juju `cmd/juju/user/info.go` UserInfo: `user-name`, `display-name`,
 * `access`, `date-created`, `last-connection`, `disabled` (the list is built in
 * `cmd/juju/user/list.go`). Not handled: `juju users MODEL`, which prints model users as a map.
 */
import {z} from 'zod'

import type {DocumentReader, ReadContext} from '../../inventory/contributions.js'
import type {ControllerUser} from '../../inventory/types.js'
import type {DataPath} from '../document.js'
import {check, compact, isRecord, refAt} from './common.js'

const userInfoSchema = z.looseObject({
  'user-name': z.string(),
  'display-name': z.string().optional(),
  access: z.string().optional(),
  'date-created': z.string().optional(),
  'last-connection': z.string().optional(),
  disabled: z.boolean().optional(),
})

const isUserInfo = (value: unknown): boolean => isRecord(value) && typeof value['user-name'] === 'string'

function toUser(raw: unknown, ctx: ReadContext, path: DataPath, what: string): ControllerUser {
  const user = check(userInfoSchema, raw, ctx, path, what)
  return compact({
    name: user['user-name'],
    access: user.access,
    lastConnection: user['last-connection'],
    disabled: user.disabled,
    ref: refAt(ctx, path),
  })
}

export const usersReader: DocumentReader = {
  kind: 'juju users',
  recognises: (data) => Array.isArray(data) && data.length > 0 && data.every(isUserInfo),
  read(data, ctx) {
    const list = check(z.array(z.unknown()), data, ctx, [], 'juju users')
    const users = list.map((raw, index) => toUser(raw, ctx, [index], 'juju users'))
    return [
      {type: 'input', scope: ctx.scope, input: 'juju-users'},
      {type: 'controller-users', scope: ctx.scope, users},
    ]
  },
}

/** One user only: the builder must merge it into, not replace, a full `juju users` list. */
export const showUserReader: DocumentReader = {
  kind: 'juju show-user',
  recognises: (data) => isUserInfo(data) && isRecord(data) && 'access' in data,
  read(data, ctx) {
    return [
      {type: 'input', scope: ctx.scope, input: 'juju-show-user'},
      {type: 'controller-users', scope: ctx.scope, users: [toUser(data, ctx, [], 'juju show-user')]},
    ]
  },
}
