// A real HTTP/2 client for the tests (node:http2): one session, many requests on it, each read
// to its end; and the undici fetch that speaks h2 for the SDK clients, trusting one CA.

import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import { Agent, fetch as undiciFetch } from 'undici'

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** One session to `url`; `ca` is trusted when given (https), else h2c with prior knowledge. */
export async function openSession(url: string, ca?: string): Promise<ClientHttp2Session> {
  const session = connect(url, ca === undefined ? {} : { ca })
  // Once the server's SETTINGS arrived, so remoteSettings are its own, not the defaults.
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve())
    session.once('error', reject)
  })
  return session
}

/** One request on `session`, its whole answer read. */
export function request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined })
    let text = ''
    let head: IncomingHttpHeaders = {}
    stream.setEncoding('utf8')
    stream.on('response', (h) => (head = h))
    stream.on('data', (chunk: string) => (text += chunk))
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }))
    stream.on('error', reject)
    if (body !== undefined) stream.end(body)
  })
}

/** A fetch over undici that negotiates h2 by ALPN and trusts `ca`; `agent.close()` when done. */
export function h2Fetch(ca: string): { fetch: typeof fetch; agent: Agent } {
  const agent = new Agent({ allowH2: true, connect: { ca } })
  const fetchH2 = (async (input: string | URL | Request, init?: RequestInit) => {
    return undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)
  }) as unknown as typeof fetch
  return { fetch: fetchH2, agent }
}
