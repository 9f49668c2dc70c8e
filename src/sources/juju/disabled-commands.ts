/**
 * `juju disabled-commands --format=json|yaml`: `[{command-set, message?}]`, `[]` when nothing is
 * disabled (juju/juju `cmd/juju/block/list.go`, BlockInfo). With `--all` it lists the blocked
 * models instead, `[{name, model-uuid, owner, disabled-commands: [<command set>]}]`
 * (modelBlockInfo); each becomes its own model's list.
 */
import {z} from 'zod'

import type {Contribution, DocumentReader} from '../../inventory/contributions.js'
import {check, refAt, compact, isRecord} from './common.js'

const KIND = 'juju disabled-commands'

const blockInfoSchema = z.array(z.looseObject({'command-set': z.string(), message: z.string().optional()}))
const blockedModelsSchema = z.array(
  z.looseObject({name: z.string(), 'model-uuid': z.string(), 'disabled-commands': z.array(z.string()).optional()}),
)

const isBlockInfo = (item: unknown): boolean => isRecord(item) && 'command-set' in item
const isBlockedModel = (item: unknown): boolean => isRecord(item) && 'model-uuid' in item && 'disabled-commands' in item

export const disabledCommandsReader: DocumentReader = {
  kind: KIND,
  recognises: (data) => Array.isArray(data) && (data.every(isBlockInfo) || (data.length > 0 && data.every(isBlockedModel))),
  read(data, ctx) {
    if (Array.isArray(data) && data.length > 0 && data.every(isBlockedModel)) {
      const out: Contribution[] = []
      for (const [index, model] of check(blockedModelsSchema, data, ctx, [], KIND).entries()) {
        // A controller-wide list: each entry names its own model, whatever the file's place says.
        const scope = {...ctx.scope, model: model.name}
        out.push({type: 'input', scope, input: 'juju-disabled-commands'})
        out.push({
          type: 'disabled-commands',
          scope,
          commands: (model['disabled-commands'] ?? []).map((commandSet) => ({commandSet})),
          ref: refAt(ctx, [index]),
        })
      }
      return out
    }
    const blocks = check(blockInfoSchema, data, ctx, [], KIND)
    return [
      {type: 'input', scope: ctx.scope, input: 'juju-disabled-commands'},
      {
        type: 'disabled-commands',
        scope: ctx.scope,
        commands: blocks.map((block) => compact({commandSet: block['command-set'], message: block.message})),
        ref: refAt(ctx, []),
      },
    ]
  },
}
