// H: the HTTP bridge. Requests as messages and responses back, on a real socket: bodies,
// disconnects, errors, headers, paths, back-pressure.

import { ASGI, DESIGN, SPEC, boot, leaf, stop } from './shapes.ts'
import type { Scenario } from './types.ts'

const HTTP_SPEC = 'asgiref specs/www.rst'
const app = { app: leaf('app') }

export const bridgeScenarios: Scenario[] = [
  {
    id: 'H1', level: 'H', source: `${SPEC} H1; ${HTTP_SPEC} (http.request, more_body)`,
    title: 'a streamed body arrives whole in http.request messages; an empty body is one message',
    setup: app,
    actions: [
      boot,
      { do: 'request', method: 'POST', path: '/?do=read-body', body: ['ab', 'cd', 'ef'], expect: { status: 200, json: { body: 'abcdef' } } },
      { do: 'request', path: '/?do=read-body', expect: { status: 200, json: { messages: [{ bytes: 0, more: false }], body: '' } } },
      stop,
    ],
  },
  {
    id: 'H2', level: 'H', source: `${SPEC} H2; ${HTTP_SPEC} (http.disconnect)`,
    title: 'a client that goes away mid-request yields http.disconnect to the app',
    setup: app,
    actions: [
      boot,
      { do: 'request', path: '/?do=await-disconnect', abortAfterMs: 150, expect: { fails: 'any' } },
      { do: 'wait-for', event: 'app.disconnect', timeoutMs: 2000 },
      stop,
    ],
  },
  {
    id: 'H3', level: 'H', source: `${SPEC} H3`,
    title: 'an app that throws before response.start: a plain 500, no stack or message in the body',
    setup: app,
    actions: [boot, { do: 'request', path: '/?do=throw-before-start', expect: { status: 500, bodyExcludes: ['secret-token-123', 'exploded', 'Traceback', '.ts:', '.py'] } }, stop],
  },
  {
    id: 'H4', level: 'H', source: `${SPEC} H4`,
    title: 'an app that throws after response.start: the connection is cut, the server lives on',
    setup: app,
    actions: [
      boot,
      { do: 'request', path: '/?do=throw-after-start', expect: { fails: 'reset' } },
      { do: 'request', path: '/', expect: { status: 200 } },
      stop,
    ],
  },
  {
    id: 'H5', level: 'H', source: `${SPEC} H5`,
    title: 'an app that returns without responding: 500',
    setup: app,
    actions: [boot, { do: 'request', path: '/?do=no-response', expect: { status: 500 } }, stop],
  },
  {
    id: 'H6', level: 'H', source: `${SPEC} H6`,
    title: 'repeated headers survive both ways, in order (Set-Cookie out, x-rep in)',
    setup: app,
    actions: [
      boot,
      { do: 'request', path: '/?do=cookies', headers: { 'x-rep': ['one', 'two'] }, expect: { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'] }, json: { rep: ['one', 'two'] } } },
      stop,
    ],
  },
  {
    id: 'H7', level: 'H', source: `${SPEC} H7; RFC 9110 (HEAD, 204, 304)`,
    title: 'HEAD, 204 and 304 responses carry no body even when the app sends one',
    setup: app,
    actions: [
      boot,
      { do: 'request', method: 'HEAD', path: '/', expect: { status: 200, noBody: true } },
      { do: 'request', path: '/?status=204', expect: { status: 204, noBody: true } },
      { do: 'request', path: '/?status=304', expect: { status: 304, noBody: true } },
      stop,
    ],
  },
  {
    id: 'H8', level: 'H', source: `${SPEC} H8`,
    title: 'a body over the limit: 413, and the app never gets the rest',
    setup: { app: leaf('app'), server: { maxBodyBytes: 16 } },
    actions: [boot, { do: 'request', method: 'POST', path: '/?do=read-body', body: ['x'.repeat(64)], expect: { status: 413 } }, stop],
    expect: { absent: ['app.response'] },
  },
  {
    id: 'H9', level: 'H', source: `${SPEC} H9; ${DESIGN} "HTTP paths"`,
    title: "'/a/../b' is routed as '/b'; '/%2e%2e/%2e%2e/x' cannot climb; a bad escape gets 400",
    setup: app,
    actions: [
      boot,
      { do: 'request', path: '/a/../b', expect: { status: 200, json: { path: '/b' } } },
      { do: 'request', path: '/%2e%2e/%2e%2e/x', expect: { status: 200, json: { path: '/x' } } },
      { do: 'request', path: '/%zz', expect: { status: 400 } },
      stop,
    ],
  },
  {
    id: 'H10', level: 'H', source: `${SPEC} H10; ${HTTP_SPEC} (send waits for flow control)`,
    title: 'a large response to a slow reader: send() waits for the socket to drain',
    setup: app,
    actions: [boot, { do: 'request', path: '/?do=stream&chunks=256&size=65536', readDelayMs: 500, expect: { status: 200 } }, stop],
    expect: { order: [['@reading', 'app.body.sent']] },
  },
  {
    id: 'H11', level: 'H', source: `${HTTP_SPEC} (query_string)`,
    title: 'the query string reaches the app without the "?", the path without the query',
    setup: app,
    actions: [boot, { do: 'request', path: '/p?x=1&y=2', expect: { status: 200, json: { path: '/p', queryString: 'x=1&y=2' } } }, stop],
  },
  {
    id: 'H12', level: 'H', source: `${HTTP_SPEC} (path is decoded, raw_path is not)`,
    title: 'path is percent-decoded UTF-8; rawPath is as received',
    setup: app,
    actions: [boot, { do: 'request', path: '/caf%C3%A9', expect: { status: 200, json: { path: '/café', rawPath: '/caf%C3%A9' } } }, stop],
  },
  {
    id: 'H13', level: 'H', source: HTTP_SPEC,
    title: "the app's status passes through unchanged",
    setup: app,
    actions: [boot, { do: 'request', path: '/?status=418', expect: { status: 418, json: { app: 'app' } } }, stop],
  },
  {
    id: 'H14', level: 'H', source: ASGI,
    title: 'requests are served concurrently: a short one finishes while a long one runs',
    setup: app,
    actions: [
      boot,
      { do: 'request', path: '/?delay=800', background: 'one' },
      { do: 'wait-for', event: 'app.request' },
      { do: 'request', path: '/?delay=50', background: 'two' },
      { do: 'settle', name: 'one', expect: { status: 200 } },
      { do: 'settle', name: 'two', expect: { status: 200 } },
      stop,
    ],
    expect: { order: [['app.request', 'app.request', 'app.response', 'app.response']] },
  },
  {
    id: 'H15', level: 'H', source: `${HTTP_SPEC} (more_body)`,
    title: 'a 64 KiB body sent in four writes arrives intact',
    setup: app,
    actions: [
      boot,
      { do: 'request', method: 'POST', path: '/?do=read-body', body: ['a', 'b', 'c', 'd'].map((c) => c.repeat(16384)), expect: { status: 200, json: { body: ['a', 'b', 'c', 'd'].map((c) => c.repeat(16384)).join('') } } },
      stop,
    ],
  },
  {
    id: 'H16', level: 'H', source: `${DESIGN} "HTTP paths" (%2F decoded before resolving)`,
    title: "an encoded slash cannot smuggle a '..' segment: '/x%2f..%2f..%2fy' is '/y'",
    setup: app,
    actions: [boot, { do: 'request', path: '/x%2f..%2f..%2fy', expect: { status: 200, json: { path: '/y' } } }, stop],
  },
]
