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

/** How long the opening handshake (TCP, TLS, HTTP upgrade) may take, asked when a socket is made. */
export type HandshakeTimeout = () => {ms: number; reason: string}

export const HANDSHAKE_TIMEOUT_MS = 20_000

export 
const defaultHandshake: HandshakeTimeout = () => ({ms: HANDSHAKE_TIMEOUT_MS, reason: `within ${HANDSHAKE_TIMEOUT_MS / 1000} s`})

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

export function webSocketClass(tls: TlsPolicy, handshake: HandshakeTimeout = defaultHandshake): new (url: string) => BrowserStyleWebSocket {
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
      const timeout = handshake()
      this.socket = new WebSocket(url, {
        ...(tlsOptions as WebSocket.ClientOptions),
        // 0 would mean no timeout at all.
        handshakeTimeout: Math.max(1, timeout.ms),
        maxPayload: MAX_PAYLOAD_BYTES,
        perMessageDeflate: false,
      })
      // ws's handshakeTimeout is an idle timer, reset by every byte: a server that trickles
      // could hold the handshake forever. This one is absolute.
      const handshakeTimer = setTimeout(() => {
        if (this.socket.readyState !== WebSocket.CONNECTING) return
        this.failure ??= `no WebSocket handshake ${timeout.reason}`
        this.socket.terminate()
      }, Math.max(1, timeout.ms))
      this.socket.once('open', () => clearTimeout(handshakeTimer))
      this.socket.once('close', () => clearTimeout(handshakeTimer))
      this.socket.on('open', () => this.onopen?.({}))
      this.socket.on('message', (data) => this.onmessage?.({data: data.toString()}))
      this.socket.on('error', (error) => {
        this.failure ??= /handshake has timed out/i.test(error.message) ? `no WebSocket handshake ${timeout.reason}` : describeSocketError(error)
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
