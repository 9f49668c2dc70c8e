/**
 * The WebSocket class jujulib is given (`wsclass`): the browser-style interface it expects, over
 * the `ws` package, with the controller's CA pinned. jujulib prints error events to the console,
 * so this class never fires `onerror`; the reason a connection failed travels in the close event
 * instead, where jujulib puts it into the error it rejects with.
 */
import {checkServerIdentity, type ConnectionOptions, createSecureContext, type PeerCertificate, type SecureContext} from 'node:tls'

import WebSocket from 'ws'

export interface TlsPolicy {
  /** PEM of the controller's CA; undefined trusts the system store. */
  caCert?: string
  /** `--juju-insecure-skip-verify`: no certificate check at all. */
  insecureSkipVerify: boolean
}

/** The subset of the browser WebSocket API jujulib uses. */
export interface BrowserStyleWebSocket {
  readonly url: string
  readonly readyState: number
  onopen: ((event: object) => void) | null
  onmessage: ((event: {data: string}) => void) | null
  onclose: ((event: {code: number; reason: string}) => void) | null
  onerror: ((event: object) => void) | null
  send(data: string): void
  close(): void
}

/** Big enough for FullStatus of a large model; Juju itself has no frame limit. */
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024
const HANDSHAKE_TIMEOUT_MS = 20_000
/** Juju controllers' certificates always name this host, whatever address the client dials. */
const JUJU_SERVER_NAME = 'juju-apiserver'

/** Building a TLS context parses the CA; one per CA serves every model connection. */
const secureContexts = new Map<string, SecureContext>()

function secureContextFor(caCert: string | undefined): SecureContext | undefined {
  if (caCert === undefined) return undefined
  let context = secureContexts.get(caCert)
  if (!context) secureContexts.set(caCert, (context = createSecureContext({ca: caCert})))
  return context
}

export function webSocketClass(tls: TlsPolicy): new (url: string) => BrowserStyleWebSocket {
  return class PinnedWebSocket implements BrowserStyleWebSocket {
    onopen: BrowserStyleWebSocket['onopen'] = null
    onmessage: BrowserStyleWebSocket['onmessage'] = null
    onclose: BrowserStyleWebSocket['onclose'] = null
    onerror: BrowserStyleWebSocket['onerror'] = null
    private readonly socket: WebSocket
    private failure: string | undefined

    constructor(readonly url: string) {
      // ws hands TLS options to tls.connect, whose checkServerIdentity returns an Error or undefined.
      const tlsOptions: ConnectionOptions = {
        secureContext: secureContextFor(tls.caCert),
        rejectUnauthorized: !tls.insecureSkipVerify,
        checkServerIdentity: (host: string, certificate: PeerCertificate) =>
          checkServerIdentity(JUJU_SERVER_NAME, certificate) === undefined ? undefined : checkServerIdentity(host, certificate),
      }
      this.socket = new WebSocket(url, {
        ...(tlsOptions as WebSocket.ClientOptions),
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        maxPayload: MAX_PAYLOAD_BYTES,
        perMessageDeflate: false,
      })
      this.socket.on('open', () => this.onopen?.({}))
      this.socket.on('message', (data) => this.onmessage?.({data: data.toString()}))
      this.socket.on('error', (error) => {
        this.failure ??= describeSocketError(error)
      })
      this.socket.on('close', (code, reason) => this.onclose?.({code, reason: this.failure ?? (reason.toString() || `closed (code ${code})`)}))
    }

    get readyState(): number {
      return this.socket.readyState
    }

    send(data: string): void {
      // jujulib writes even after it has seen the socket close; dropping the frame is what a browser does.
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data)
    }

    close(): void {
      this.socket.close()
    }
  }
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
])

export function describeSocketError(error: Error & {code?: string}): string {
  const code = error.code
  if (code !== undefined && TLS_CODES.has(code)) return `TLS: the controller certificate is not signed by the expected CA (${code})`
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: the controller certificate does not name this address (${code})`
  if (code === 'CERT_HAS_EXPIRED') return 'TLS: the controller certificate has expired'
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found'
  if (code === 'ETIMEDOUT') return 'connection timed out'
  if (code === 'ECONNRESET') return 'connection reset'
  return error.message.split('\n')[0] ?? 'connection failed'
}
