// Not tsgi: the least any bridge for this protocol can do under Hono, written by hand. The hello
// app runs on a scope built straight from the node request, its two sends write the node
// response, and the handler returns node-server's shared already-sent marker, as toHono()
// does when no middleware matched. No checks, no drain, no limits: nothing a real bridge may
// leave out. hono-tsgi against this control is the cost of tsgi's checks and bookkeeping;
// this control against hono-native is what running an async (scope, receive, send) app in
// Hono costs at the least, whoever writes the bridge.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { serve } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import { alreadySent } from '../../../../src/embed/hono-marker.ts'
import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'
import { type HttpReceiveMessage, type HttpScope, type SendMessage, TSGI_VERSION } from '../../../../src/protocol/types.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

/** The prefix this control is routed at, as toHono()'s app is in hono-tsgi. */
const PREFIX = '/api'
const SENT = Promise.resolve()
const NO_BODY: Promise<HttpReceiveMessage> = Promise.resolve({ type: 'http.request', body: new Uint8Array(0), moreBody: false })
const receive = (): Promise<HttpReceiveMessage> => NO_BODY

// As every tsgi bridge does when it is made: otherwise this control would measure a different
// V8 state from hono-tsgi's (src/node/tick-shapes.ts).
keepTickShapes()

function leastBridge(c: Context): Response {
  const { incoming, outgoing } = c.env as { incoming: IncomingMessage; outgoing: ServerResponse }
  const target = incoming.url ?? '/'
  const query = target.indexOf('?')
  const rawPath = query === -1 ? target : target.slice(0, query)
  const raw = incoming.rawHeaders
  const headers: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!])
  const scope: HttpScope = {
    type: 'http',
    tsgi: { version: TSGI_VERSION },
    httpVersion: incoming.httpVersion,
    method: incoming.method ?? 'GET',
    scheme: 'http',
    path: rawPath.slice(PREFIX.length) || '/',
    rawPath,
    queryString: query === -1 ? '' : target.slice(query + 1),
    rootPath: PREFIX,
    headers,
    client: null,
    server: null,
    state: {},
  }
  let status = 200
  let head: Array<[string, string]> = []
  const send = (message: SendMessage): Promise<void> => {
    if (message.type === 'http.response.start') {
      status = message.status
      head = message.headers ?? []
    } else if (message.type === 'http.response.body') {
      const body = message.body ?? ''
      const flat: string[] = []
      for (const [name, value] of head) flat.push(name, value)
      flat.push('content-length', String(Buffer.byteLength(body)))
      outgoing.writeHead(status, flat)
      outgoing.end(body)
    }
    return SENT
  }
  void hello(scope, receive, send)
  return alreadySent()
}

const mounted = new Hono().all('/', leastBridge).all('/*', leastBridge)
const app = new Hono().route(PREFIX, mounted)
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => announcePort(info.port))
