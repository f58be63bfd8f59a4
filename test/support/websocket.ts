// A real websocket client (ws) for the tests: open a connection, read what comes, see how it
// ended, or see the HTTP answer that refused it.

import WebSocket, { type ClientOptions } from 'ws'

/** ws://… for a server's http://… url. */
export function wsUrl(httpUrl: string, path: string): string {
  return httpUrl.replace(/^http/, 'ws') + path
}

/** Opens a websocket; rejects with the HTTP status when the handshake is refused. */
export function openWs(url: string, protocols: string[] = [], options: ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url, protocols, options)
    client.once('open', () => resolve(client))
    client.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    )
    client.once('error', reject)
  })
}

/** The HTTP answer to a refused handshake: status, headers, body. */
export function refusal(
  url: string,
  protocols: string[] = [],
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url, protocols)
    client.once('open', () => reject(new Error('the handshake was accepted')))
    client.once('error', () => undefined)
    client.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      res.on('error', reject)
    })
  })
}

/** The next message: text as a string, binary as a Buffer. */
export function nextMessage(client: WebSocket): Promise<string | Buffer> {
  return new Promise((resolve) => client.once('message', (data, isBinary) => resolve(isBinary ? (data as Buffer) : String(data))))
}

/** How the connection ended, as the client saw it. */
export function closeOf(client: WebSocket): Promise<{ code: number; reason: string }> {
  if (client.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'))
  return new Promise((resolve) => client.once('close', (code, reason) => resolve({ code, reason: String(reason) })))
}
