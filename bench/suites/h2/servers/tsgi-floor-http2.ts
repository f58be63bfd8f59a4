// Not tsgi's bridge: the least any bridge for this protocol can do on node:http2's
// compatibility API, written by hand. tsgi-serve's router and hello app run on a scope built
// straight from the request; the two sends write the response. No checks, no drain, no limits,
// no disconnect: nothing a real bridge may leave out. tsgi-serve against this control is the
// cost of tsgi's checks and bookkeeping over HTTP/2; this control against raw-node-http2 is
// what running an async (scope, receive, send) app costs there at the least.

import { createServer } from 'node:http2'
import { mount, router } from '../../../../src/index.ts'
import { keepTickShapes } from '../../../../src/node/tick-shapes.ts'
import { type HttpReceiveMessage, type HttpScope, type SendMessage, TSGI_VERSION } from '../../../../src/protocol/types.ts'
import { announcePort } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

const SENT = Promise.resolve()
const NO_BODY: Promise<HttpReceiveMessage> = Promise.resolve({ type: 'http.request', body: new Uint8Array(0), moreBody: false })
const receive = (): Promise<HttpReceiveMessage> => NO_BODY
const app = router([mount('/api', hello), mount('/', hello)])

// As every tsgi bridge does when it is made, so the control runs in the same V8 state (src/node/tick-shapes.ts).
keepTickShapes()

const server = createServer((req, res) => {
  const target = req.url
  const query = target.indexOf('?')
  const rawPath = query === -1 ? target : target.slice(0, query)
  const raw = req.rawHeaders
  const headers: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i]![0] !== ':') headers.push([raw[i]!.toLowerCase(), raw[i + 1]!])
  const scope: HttpScope = {
    type: 'http',
    tsgi: { version: TSGI_VERSION },
    httpVersion: '2',
    method: req.method,
    scheme: 'http',
    path: rawPath,
    rawPath,
    queryString: query === -1 ? '' : target.slice(query + 1),
    rootPath: '',
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
      const fields: Record<string, string> = {}
      for (const [name, value] of head) fields[name] = value
      fields['content-length'] = String(Buffer.byteLength(body))
      res.writeHead(status, fields)
      res.end(body)
    }
    return SENT
  }
  void app(scope, receive, send)
})
server.listen(0, '127.0.0.1', () => announcePort((server.address() as { port: number }).port))
