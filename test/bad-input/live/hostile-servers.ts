/**
 * Loopback servers that misbehave the ways the issue-14 fuzzing pass found: an endless body, a
 * connection closed mid-body, a server that accepts and never answers (HTTP or the WebSocket
 * handshake), a 429 asking to come back in an hour. Real sockets, because nock cannot close a
 * connection half-way through a body or hold one open without answering. Shared by the bad-input
 * table (test/bad-input/live) and the bench (test/bench/live-bench.ts).
 */
import {createServer as createHttpServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {createServer as createTcpServer, type Server, type Socket} from 'node:net'

export type Misbehaviour = 'endless-body' | 'mid-body-close' | 'never-answers' | 'retry-after-hour' | 'silent-tcp'

export interface HostileServer {
  /** `http://127.0.0.1:PORT` (`host:port` for silent-tcp: it speaks no HTTP). */
  url: string
  host: string
  port: number
  /** Requests (or connections, for silent-tcp) received. */
  requests: () => number
  /** Bytes of body written (endless-body). */
  bytesSent: () => number
  close: () => Promise<void>
}

const CHUNK = Buffer.alloc(64 << 10, '[{"kind":"Pod"},'.repeat(4096).slice(0, 64 << 10))

export async function startHostileServer(kind: Misbehaviour): Promise<HostileServer> {
  let requests = 0
  let bytesSent = 0
  const sockets = new Set<Socket>()
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    requests++
    if (kind === 'never-answers') return
    if (kind === 'retry-after-hour') {
      const status = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', message: 'Too many requests, please try again later.', code: 429}
      response.writeHead(429, {'content-type': 'application/json', 'retry-after': '3600'}).end(JSON.stringify(status))
      return
    }
    if (kind === 'mid-body-close') {
      response.writeHead(200, {'content-type': 'application/json', 'content-length': '100000'})
      response.write('{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[')
      setTimeout(() => request.socket.destroy(), 20)
      return
    }
    // endless-body: chunked, as fast as the client reads.
    response.writeHead(200, {'content-type': 'application/json'})
    response.write('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":')
    const pump = (): void => {
      while (!response.destroyed) {
        bytesSent += CHUNK.length
        if (!response.write(CHUNK)) return void response.once('drain', pump)
      }
    }
    response.on('close', () => response.removeAllListeners('drain'))
    pump()
  }
  const server: Server =
    kind === 'silent-tcp'
      ? createTcpServer((socket) => {
          requests++
          socket.on('error', () => undefined)
        })
      : createHttpServer(handle)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: kind === 'silent-tcp' ? `127.0.0.1:${port}` : `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    requests: () => requests,
    bytesSent: () => bytesSent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
