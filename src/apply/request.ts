/**
 * One write to the Kubernetes API (a server-side apply PATCH or a DELETE), sent with the live
 * source's HTTP exchange and retry policy (src/sources/kubernetes-api/http.ts). Every request
 * sent is counted; once the run is halted no further request is sent.
 */
import type {IncompleteError} from '../errors.js'
import {type ApiRequest, type Connection, type Sent, withRetries} from '../sources/kubernetes-api/http.js'

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
