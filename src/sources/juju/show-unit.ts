/**
 * `juju show-unit UNIT --format=json|yaml`: `{<app>/<n>: {charm, leader, life, machine,
 * opened-ports, public-address, relation-info: [{endpoint, related-endpoint, application-data,
 * local-unit, related-units}]}}` (juju/juju `cmd/juju/application/showunit.go`). Recognised so it
 * is named when it turns up among the inputs; no rule reads it (its relation data can hold
 * passwords, so it is not read at all).
 */
import type {DocumentReader} from '../../inventory/contributions.js'
import {everyValue, isRecord} from './common.js'

const UNIT_NAME = /^[a-z][a-z0-9-]*\/\d+$/
const UNIT_KEYS = ['relation-info', 'opened-ports', 'life', 'leader', 'charm']

export const showUnitReader: DocumentReader = {
  kind: 'juju show-unit',
  unusedBecause: 'no rule reads it (use juju status for units, juju show-application for exposure)',
  recognises: (data) =>
    everyValue(data, (info) => isRecord(info) && UNIT_KEYS.some((key) => key in info)) && Object.keys(data as object).every((key) => UNIT_NAME.test(key)),
  read: () => [],
}
