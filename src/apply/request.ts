/**
 * One write to the Kubernetes API (a server-side apply PATCH or a DELETE), sent with the live
 * source's HTTP exchange and retry policy (src/sources/kubernetes-api/http.ts), and how a refused
 * apply's conflict is told. Every request sent is counted; once the run is halted no further
 * request is sent.
 */
import type {IncompleteError} from '../errors.js'
import {type Answer, type ApiRequest, type Connection, describeStatus, isRecord, type Sent, withRetries} from '../sources/kubernetes-api/http.js'

export interface WriteSession extends Connection {
  /** HTTP write requests sent so far, retries included. */
  writes: number
  /** Set once the run must stop (credentials rejected): no further request is sent. */
  halted?: IncompleteError
  onProgress?: (message: string) => void
}

export interface WriteRequest extends ApiRequest {
  method: 'PATCH' | 'DELETE'
  body: string
  contentType: string
  /** `shop/allow-web`, for progress messages. */
  what: string
}

export async function sendWrite(session: WriteSession, request: WriteRequest): Promise<Sent> {
  return withRetries(session, request, {
    beforeAttempt: () => {
      if (session.halted) throw session.halted
    },
    count: () => {
      session.writes++
    },
    onRetry: (reason, next, attempts) => {
      session.onProgress?.(`${request.method} ${request.what}: ${reason}; retrying (attempt ${next} of ${attempts})`)
    },
  })
}

/**
 * A server-side apply conflict names the other field managers and the fields in the Status
 * causes (`conflict with "kubectl-client-side-apply" using networking.k8s.io/v1`, field
 * `.spec.ingress`): `conflict with "kubectl-client-side-apply" over .spec.ingress`.
 */
export function describeConflict(answer: Answer): string {
  const body = isRecord(answer.body) ? answer.body : {}
  const details = isRecord(body.details) ? body.details : {}
  const causes = Array.isArray(details.causes) ? details.causes.filter(isRecord) : []
  const byManager = new Map<string, string[]>()
  for (const cause of causes) {
    const message = typeof cause.message === 'string' ? cause.message : ''
    const manager = /conflicts? with "([^"]*)"/.exec(message)?.[1]
    const field = typeof cause.field === 'string' && cause.field !== '' ? cause.field : undefined
    if (manager === undefined && field === undefined) continue
    const key = manager ?? ''
    const fields = byManager.get(key) ?? []
    if (field !== undefined && !fields.includes(field)) fields.push(field)
    byManager.set(key, fields)
  }
  const parts = [...byManager].map(([manager, fields]) => {
    const who = manager === '' ? 'conflict with another field manager' : `conflict with "${manager}"`
    return fields.length === 0 ? who : `${who} over ${fields.join(', ')}`
  })
  if (parts.length > 0) return parts.join('; ')
  return describeStatus(answer)
}
