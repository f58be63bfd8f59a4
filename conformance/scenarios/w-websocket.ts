// W: the websocket scope (asgiref specs/www.rst, version 2.5). A real websocket client opens
// connections to the scenario app's websocket endpoints (`?do=` picks the behaviour) and checks
// what it sees; the app's trace shows what the server told it.

import { SPEC, boot, leaf, stop, tree } from './shapes.ts'
import type { Scenario } from './types.ts'

const WWW = 'asgiref specs/www.rst (WebSocket)'
const UVICORN_WS = 'uvicorn tests/protocols/test_websocket.py'
const HYPERCORN_WS = 'hypercorn tests/protocols/test_ws_stream.py'
const UVICORN_SERVER = 'uvicorn server.py (shutdown)'
const app = { app: leaf('app') }
const chat = { app: tree('root', [{ mount: '/chat', app: leaf('chat') }]) }

export const websocketScenarios: Scenario[] = [
  {
    id: 'W1',
    level: 'W',
    source: `${SPEC} W1; ${WWW} (websocket.connect, websocket.accept subprotocol); ${UVICORN_WS} test_subprotocols`,
    title: 'websocket.connect comes first; the app accepts with a subprotocol the client offered and the client sees it',
    setup: app,
    actions: [boot, { do: 'websocket', path: '/', protocols: ['chat.v2', 'chat.v1'], expect: { subprotocol: 'chat.v2' } }, stop],
    expect: { detail: { 'app.ws.connect': ['websocket.connect'] } },
  },
  {
    id: 'W2',
    level: 'W',
    source: `${SPEC} W2; ${WWW} (websocket.accept headers); ${UVICORN_WS} test_additional_headers`,
    title: "the accept's headers reach the client on the 101 answer",
    setup: app,
    actions: [boot, { do: 'websocket', path: '/', expect: { headers: { 'x-conformance': 'yes' } } }, stop],
  },
  {
    id: 'W3',
    level: 'W',
    source: `${SPEC} W3; ${WWW} (websocket.close before accept: HTTP 403); ${UVICORN_WS} test_close_connection`,
    title: 'websocket.close before accept answers the handshake with HTTP 403',
    setup: app,
    actions: [boot, { do: 'websocket', path: '/?do=refuse', expect: { status: 403 } }, stop],
  },
  {
    id: 'W4',
    level: 'W',
    source: `${SPEC} W4; ${WWW} (websocket.http.response.start / .body); ${HYPERCORN_WS} test_handle_http_response`,
    title: 'the denial response reaches the client: its status, its headers and its body sent in two chunks',
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/?do=deny', expect: { status: 401, headers: { 'x-denied': 'yes' }, bodyIncludes: ['denied'] } },
      stop,
    ],
  },
  {
    id: 'W5',
    level: 'W',
    source: `${SPEC} W5; ${WWW} (websocket.receive, websocket.send: bytes or text); ${UVICORN_WS} test_send_text_data_to_client`,
    title: 'text and bytes round trips: each message comes back as the kind it was sent',
    setup: app,
    actions: [
      boot,
      {
        do: 'websocket',
        path: '/',
        send: [{ text: 'héllo' }, { bytesHex: '00ff10' }],
        expect: { messages: [{ text: 'héllo' }, { bytesHex: '00ff10' }] },
      },
      stop,
    ],
  },
  {
    id: 'W6',
    level: 'W',
    source: `${SPEC} W6; ${WWW} (websocket.disconnect code, reason); ${UVICORN_WS} test_client_close`,
    title: "the client closes with a code and a reason: the app's websocket.disconnect carries both",
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/', closeWith: { code: 4000, reason: 'see you' } },
      { do: 'wait-for', event: 'app.ws.disconnect', timeoutMs: 2000 },
      stop,
    ],
    expect: { detail: { 'app.ws.disconnect': ['4000', 'see you'] } },
  },
  {
    id: 'W7',
    level: 'W',
    source: `${SPEC} W7; ${WWW} (websocket.close code, reason); ${UVICORN_WS} test_app_close`,
    title: 'the app closes with a code and a reason: the client sees both',
    setup: app,
    actions: [boot, { do: 'websocket', path: '/?do=close', send: [{ text: 'x' }], expect: { close: { code: 4001, reason: 'bye' } } }, stop],
  },
  {
    id: 'W8',
    level: 'W',
    source: `${SPEC} W8; ${WWW} (send after the connection closed raises); ${UVICORN_WS} test_send_after_protocol_close`,
    title: 'a send after the client left fails in the app (an error, not a silent drop)',
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/?do=send-after-close', closeWith: { code: 1000, reason: '' } },
      { do: 'wait-for', event: 'app.ws.send-after-close', timeoutMs: 2000 },
      stop,
    ],
    expect: { detail: { 'app.ws.send-after-close': ['error'] } },
  },
  {
    id: 'W9',
    level: 'W',
    source: `${SPEC} W9; ${WWW} (path, root_path, query_string); Starlette tests/test_routing.py (websocket mounts)`,
    title: 'a mounted app sees its path relative to the mount, rootPath the prefix, and the query string as sent',
    setup: chat,
    actions: [
      boot,
      {
        do: 'websocket',
        path: '/chat/room?who=ann&do=scope',
        expect: { json: { path: '/room', rootPath: '/chat', queryString: 'who=ann&do=scope', scheme: 'ws' } },
      },
      stop,
    ],
  },
  {
    id: 'W10',
    level: 'W',
    source: `${SPEC} W10; Starlette routing (a websocket no route takes is closed: 403)`,
    title: 'a websocket that matches no route is refused with HTTP 403',
    setup: chat,
    actions: [boot, { do: 'websocket', path: '/nowhere', expect: { status: 403 } }, stop],
  },
  {
    id: 'W11',
    level: 'W',
    source: `${SPEC} W11; RFC 6455 7.4.1 (1009 message too big); uvicorn --ws-max-size, hypercorn websocket_max_message_size (16 MiB)`,
    title: "a message over the server's payload limit (17 MiB, above every default) closes with 1009 and never reaches the app",
    setup: app,
    actions: [boot, { do: 'websocket', path: '/', sendSizeBytes: 17 * 1024 * 1024, expect: { close: { code: 1009 } } }, stop],
    expect: { absent: ['app.ws.message'] },
  },
  {
    id: 'W12',
    level: 'W',
    source: `${SPEC} W12; RFC 6455 7.1.5 (1006: closed without a close frame); ${UVICORN_WS} test_client_connection_lost`,
    title: 'a client that leaves without a close frame: the app gets websocket.disconnect 1006',
    setup: app,
    actions: [boot, { do: 'websocket', path: '/', terminate: true }, { do: 'wait-for', event: 'app.ws.disconnect', timeoutMs: 1000 }, stop],
    expect: { detail: { 'app.ws.disconnect': ['1006'] } },
  },
  {
    id: 'W13',
    level: 'W',
    source: `${SPEC} W13; ${UVICORN_SERVER}; RFC 6455 7.4.1 (1001 going away)`,
    title: 'at shutdown an open websocket gets websocket.disconnect 1001 and its client a close frame with 1001',
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/', background: 'open' },
      { do: 'stop' },
      { do: 'settle', name: 'open', expect: { close: { code: 1001 } } },
    ],
    expect: { detail: { 'app.ws.disconnect': ['1001'] } },
  },
  {
    id: 'W14',
    level: 'W',
    source: `${SPEC} W14; asgiref specs/lifespan.rst (shutdown after all connections closed); ${UVICORN_SERVER}`,
    title: 'lifespan.shutdown comes only after every open websocket was told to disconnect',
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/', background: 'one' },
      { do: 'websocket', path: '/', background: 'two' },
      { do: 'stop' },
      { do: 'settle', name: 'one', expect: { close: {} } },
      { do: 'settle', name: 'two', expect: { close: {} } },
    ],
    expect: { order: [['app.ws.disconnect', 'app.shutdown']], present: ['app.shutdown'] },
  },
  {
    id: 'W15',
    level: 'W',
    source: `${SPEC} W15; ${UVICORN_SERVER} (stop accepting first)`,
    title: 'once the shutdown began a new websocket is not accepted',
    setup: app,
    actions: [
      boot,
      { do: 'websocket', path: '/', background: 'held' },
      { do: 'stop', background: 'stopping' },
      { do: 'wait', ms: 150 },
      { do: 'websocket', path: '/', expect: { fails: true } },
      { do: 'settle', name: 'stopping' },
      { do: 'settle', name: 'held', expect: { close: {} } },
    ],
  },
]
