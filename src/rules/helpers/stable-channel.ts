import type {Application} from '../../inventory/types.js'
import {charmName} from './charms.js'
import {channelTrack} from './known-charms.js'

export interface StableChannel {
  /** `14/stable` for `14/edge`; `TRACK/stable` when the channel's track is `latest`. */
  channel: string
  /** Said with the channel when the track is left to the user: how to choose it. */
  trackNote?: string
}

/**
 * The stable channel to move an application to from a riskier one. A version track is kept
 * (`14/edge` → `14/stable`). The `latest` track (and a bare `edge`) names no version, and its
 * stable channel is no safe guess: many charms publish stable releases on version tracks only
 * (Canonical Kubernetes' track is the Kubernetes minor version; Charmed Apache Spark deploys
 * kyuubi-k8s from 3.5/stable and spark-integration-hub-k8s from 3/stable), and where
 * latest/stable exists it can be years old (an OpenStack charm's is its 21.10 release, the OpenStack
 * charm guide's "All charms: migration to channels"). So the track is left to the user, with how to
 * choose it.
 */
export function stableChannelFor(app: Application, when: 'deployed' | 'before deploy' = 'deployed'): StableChannel {
  const track = channelTrack(app.channel) ?? 'latest'
  if (track !== 'latest') return {channel: `${track}/stable`}
  const version = when === 'deployed' ? 'the version it runs' : 'the version you mean to deploy'
  return {
    channel: 'TRACK/stable',
    trackNote: `${app.name} follows the latest track, which names no version: for TRACK take the track of ${version} among those \`juju info ${charmName(app)}\` lists (latest only if the charm publishes its stable releases there: many publish them on version tracks only, and an OpenStack charm's latest/stable is its 21.10 release)`,
  }
}
