/**
 * The Juju readers: one per kind of Juju CLI output (`juju show-unit` only to name it), plus bundles
 * and overlays. Each recognises
 * its documents by content; the recognition rules are mutually exclusive (see
 * test/sources/juju/recognition.test.ts), so the order here does not matter.
 */
import type {DocumentReader} from '../../inventory/contributions.js'
import {bundleOverlayReader, bundleReader} from './bundle.js'
import {configReader} from './config.js'
import {controllerConfigReader} from './controller-config.js'
import {disabledCommandsReader} from './disabled-commands.js'
import {dumpModelReader} from './dump-model.js'
import {showModelReader} from './model.js'
import {offersReader} from './offers.js'
import {showApplicationReader} from './show-application.js'
import {showUnitReader} from './show-unit.js'
import {statusReader} from './status.js'
import {showUserReader, usersReader} from './users.js'

export const jujuReaders: DocumentReader[] = [
  statusReader,
  bundleReader,
  bundleOverlayReader,
  showModelReader,
  usersReader,
  showUserReader,
  offersReader,
  disabledCommandsReader,
  configReader,
  showApplicationReader,
  controllerConfigReader,
  dumpModelReader,
  showUnitReader,
]
