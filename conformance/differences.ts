// Why a peer fails a scenario: what it does instead, read from its source (uvicorn 0.17.6,
// hypercorn 0.13.2, Daphne 4.0.0, Starlette 0.26.1 from Debian; the Node frameworks in
// node-differences.ts). The matrix prints these as footnotes; a peer failure without an entry
// here makes `npm run conformance:matrix` fail, so every difference is explained.

import { nodeBehaviours, nodeDifferences, type NodePeer } from './node-differences.ts'

export type Peer = 'uvicorn' | 'hypercorn' | 'daphne' | NodePeer

/** One sentence or two per behaviour, shared by every scenario it explains. */
const asgiBehaviours = {
  mountLifespan:
    "Starlette's `Router` answers the lifespan itself (its own `lifespan`/`on_startup` only) and never forwards it to mounted or routed apps, so no child starts or stops (starlette#649).",
  mountLifespanFailure:
    "Starlette's `Router` never forwards the lifespan to its children (starlette#649): the failing child is never started, so startup succeeds and nothing is rolled back.",
  mountLifespanShutdown:
    "Starlette's `Router` never forwards the lifespan to its children (starlette#649): the children that should fail at shutdown never started, so the shutdown succeeds.",
  mountRedirect:
    "Starlette's `Mount('/mcp')` matches only '/mcp/…'; a request for '/mcp' gets a 307 redirect to '/mcp/' (`redirect_slashes`).",
  noLifespanState:
    'uvicorn 0.17 and hypercorn 0.13 send no `state` in the lifespan scope (the ASGI lifespan-state extension came in later releases), so nothing written at startup reaches later apps or requests.',
  noStateForYield:
    'uvicorn 0.17 and hypercorn 0.13 send no lifespan `state`, so Starlette raises "The server does not support \\"state\\" in the lifespan scope" when the router\'s lifespan yields one, and startup fails.',
  uvicornAssert:
    "uvicorn checks the lifespan state with `assert`: send raises a bare `AssertionError` ('Got invalid state transition on lifespan protocol.' or no message at all) that names neither the state nor the message.",
  hypercornAcceptsAny:
    "hypercorn's lifespan `send` accepts a second `startup.complete`, or a `shutdown.complete` before startup, silently: it only sets an event that is already set.",
  hypercornUnexpected:
    "hypercorn raises `UnexpectedMessageError('<type>')`: it names the message but it is not a protocol error naming the state.",
  uvicornReturnIsComplete:
    'An app that returns after receiving the step\'s message, without answering, is taken as done: uvicorn sets the step\'s event when the app task ends and logs "complete".',
  hypercornReturnIsComplete:
    "An app that returns after receiving the step's message, without answering, is taken as done: hypercorn sets both events when the app task ends (its own test_lifespan_return expects this).",
  uvicornShutdownExitZero: 'uvicorn logs "Application shutdown failed. Exiting." but the process still exits 0.',
  uvicornCrashIgnored:
    'uvicorn (lifespan "auto") takes an exception after startup as "lifespan appears unsupported", skips lifespan.shutdown and exits 0.',
  hypercornCrashIgnored:
    'hypercorn logs "ASGI Framework Lifespan error, shutdown without Lifespan support", skips lifespan.shutdown and exits 0.',
  noConnectionClose:
    'uvicorn and hypercorn complete the in-flight response without a `Connection: close` header; they close the socket after it instead of announcing it.',
  uvicornSignalInStartup:
    'uvicorn finishes startup, binds and listens, then returns from `serve()` without sending lifespan.shutdown (its `should_exit` check skips the whole shutdown).',
  uvicornSecondSignal:
    'uvicorn only forces exit on a second SIGINT before lifespan.shutdown was sent (`force_exit` skips that call); once the app is shutting down it waits for it to finish.',
  hypercornSecondSignal:
    "hypercorn's signal handler only sets the shutdown event again: a second signal changes nothing, the slow shutdown runs to its end.",
  hypercornKeepAlive:
    'hypercorn waits for open connections, idle keep-alive ones included, up to `graceful_timeout` (3 s) before it shuts the app down.',
  hypercornDrain500:
    'After `graceful_timeout` hypercorn cancels the in-flight request and answers it 500, rather than cutting the connection.',
  hypercornNoMessageKey:
    'hypercorn reads `message["message"]` on startup.failed; without the key its send raises KeyError, which it takes as "lifespan unsupported", and it serves anyway.',
  hypercornBindNoShutdown:
    'hypercorn binds only after startup; when the bind fails the error ends the worker without sending lifespan.shutdown to the started app.',
  hypercornNoDisconnect:
    'hypercorn 0.13 did not give the app `http.disconnect` within 2 s after the client went away while the app waited in receive().',
  noShutdownDelay:
    'uvicorn and hypercorn close their listening socket the moment the signal arrives and have no setting to keep serving for a while first, so a request still routed to the process after its SIGTERM is refused.',
  noReadinessProbe:
    'uvicorn and hypercorn have no readiness or liveness endpoint of their own (the app answers /readyz like any path), and after the signal they stop listening at once: the probes are refused instead of answered 503 and 200.',
  uvicornStreamWaits:
    'uvicorn stops listening at once, then waits for the open stream to end by itself (ASGI has no drain signal and uvicorn 0.17 sends the app no `http.disconnect`), so the request during the delay is refused and the stream ends at its own timeout.',
  hypercornStreamCut:
    'hypercorn stops listening at once and, after `graceful_timeout` (3 s), cancels the still-open stream and cuts its connection; the request during the delay is refused.',
  pathNotResolved:
    "uvicorn and hypercorn percent-decode the path but do not resolve dot segments ('/a/../b' stays as is, '%2f..' becomes '/..'), and a malformed escape such as '%zz' passes through with 200.",
  daphneNoLifespan:
    'Daphne never opens a lifespan scope (django/daphne#264, closed without it; support is an open pull request, django/daphne#570): no startup or shutdown reaches the app, so it serves at once whatever its startup would do, and stops without asking it.',
  daphneCutsInFlight:
    'On SIGTERM Daphne stops the Twisted reactor at once: the request in flight is cut (the client sees the connection closed), not completed.',
  daphneNoDelay:
    'Daphne (Twisted) stops listening the moment SIGTERM arrives, has no setting to keep serving first and no probes of its own: a request or probe still routed to it after the signal is refused, and an open stream is cut with its connection.',
  daphneBindExitZero: "When the port is taken Daphne logs 'Listen failure' (CRITICAL) and still exits 0.",
  daphneOpenAfterError:
    'After the app raises mid-response, or returns without one, Daphne leaves the connection open with nothing more to send; the client gives up first.',
  daphneBuffers:
    "Daphne's sends return before a slow client has read anything: Twisted buffers the whole response instead of waiting for the socket to drain.",
  daphnePathNotResolved:
    "Daphne percent-decodes the path but does not resolve dot segments ('/a/../b' stays as is, '%2f..' becomes '/..'), and a malformed escape such as '%zz' passes through with 200.",
  uvicornNoDenial:
    'uvicorn 0.17 does not implement the websocket denial response (`websocket.http.response.start` / `.body`, ASGI spec 2.4): the message fails in the app and the client gets 500.',
  uvicornNoCloseReason: "uvicorn 0.17's `websocket.disconnect` carries the client's close code but not its reason.",
  uvicornWebsocketCut:
    'At shutdown uvicorn 0.17 drops each open websocket without a close frame: its client sees 1006, and the app gets `websocket.disconnect` 1006, not 1001.',
  hypercornNoWebsocketDisconnect:
    "hypercorn 0.13 gave the app no `websocket.disconnect` after the client closed or left (the app's `receive()` did not return within the scenario's time), and did not answer the client's close frame (the client saw 1006).",
  hypercornWebsocketShutdown:
    'At shutdown hypercorn 0.13 closes each open websocket with 1000 (normal closure, not 1001 going away) and gives the app no `websocket.disconnect`, before or after `lifespan.shutdown`.',
  daphneNoAcceptHeaders: "Daphne 4.0 ignores the accept's `headers`: the 101 answer carries none of them.",
  daphneNoDenial:
    'Daphne 4.0 has no websocket denial response (`websocket.http.response.*`): the connection is dropped and the client sees it reset.',
  daphneNoCloseReason: "Daphne's `websocket.disconnect` carries the client's close code but not its reason.",
  daphneDropsCloseReason: "Daphne sends the app's close code but not its reason: the client's close frame has an empty reason.",
  daphneSendAfterClose: 'Daphne takes a `websocket.send` after the client left without an error: the message is dropped silently.',
  daphneNoScheme: "Daphne's websocket scope has no `scheme` key (ASGI lets it be absent, meaning 'ws').",
  daphneNo1009: 'Over a 17 MiB message the client saw Daphne drop the connection without a close frame (1006), not a 1009 close.',
  daphneWebsocketCut:
    'On SIGTERM Daphne stops the Twisted reactor: each open websocket is dropped without a close frame (the client sees 1006) and the app gets no `websocket.disconnect`.',
} as const

export const behaviours = { ...asgiBehaviours, ...nodeBehaviours }

export type Behaviour = keyof typeof behaviours

const starlette: Record<string, Behaviour> = {
  C1: 'mountLifespan',
  C2: 'mountLifespan',
  C3: 'mountLifespan',
  C4: 'mountLifespanFailure',
  C6: 'mountLifespan',
  C7: 'mountLifespan',
  C8: 'mountLifespanShutdown',
  C9: 'mountLifespanFailure',
  C10: 'noLifespanState',
  C13: 'mountRedirect',
  C16: 'mountLifespan',
  C18: 'noStateForYield',
  C19: 'mountLifespan',
  C20: 'mountLifespanFailure',
  C21: 'mountLifespanFailure',
  C22: 'mountLifespanFailure',
  C23: 'mountLifespan',
  C24: 'mountLifespanShutdown',
  C25: 'mountLifespan',
  C26: 'mountLifespan',
  C27: 'mountLifespanShutdown',
}

/** Every lifespan-driven scenario Daphne can run, since it never sends the lifespan. */
const withoutLifespan: Record<string, Behaviour> = Object.fromEntries(
  [
    ...['P1', 'P6', 'P9', 'P10', 'P11', 'P16', 'P17', 'P18', 'P19', 'P20', 'P21', 'P22', 'P23', 'P24', 'P25', 'P27'],
    ...['C1', 'C2', 'C3', 'C4', 'C6', 'C7', 'C8', 'C9', 'C10', 'C16', 'C17', 'C18', 'C19', 'C20', 'C21', 'C22', 'C23'],
    ...['C24', 'C25', 'C26', 'C27', 'S24', 'X1', 'X2', 'X3', 'X4', 'X6', 'X7', 'X8', 'X9', 'X10', 'X11', 'X12', 'X13'],
    ...['X14', 'X20', 'X21', 'X22'],
  ].map((id) => [id, 'daphneNoLifespan']),
)

export const differences: Record<Peer, Record<string, Behaviour>> = {
  uvicorn: {
    ...starlette,
    P9: 'uvicornAssert',
    P10: 'uvicornAssert',
    P11: 'uvicornAssert',
    P19: 'uvicornAssert',
    P16: 'noLifespanState',
    P24: 'noLifespanState',
    P18: 'uvicornShutdownExitZero',
    X9: 'uvicornShutdownExitZero',
    P20: 'uvicornReturnIsComplete',
    P21: 'uvicornReturnIsComplete',
    X14: 'uvicornReturnIsComplete',
    X13: 'uvicornCrashIgnored',
    S21: 'noConnectionClose',
    X19: 'noConnectionClose',
    X7: 'uvicornSignalInStartup',
    X8: 'uvicornSecondSignal',
    X26: 'noShutdownDelay',
    X27: 'noReadinessProbe',
    X28: 'uvicornStreamWaits',
    H9: 'pathNotResolved',
    H16: 'pathNotResolved',
    W4: 'uvicornNoDenial',
    W6: 'uvicornNoCloseReason',
    W13: 'uvicornWebsocketCut',
  },
  hypercorn: {
    ...starlette,
    P9: 'hypercornAcceptsAny',
    P10: 'hypercornAcceptsAny',
    P11: 'hypercornUnexpected',
    P19: 'hypercornUnexpected',
    P16: 'noLifespanState',
    P24: 'noLifespanState',
    P20: 'hypercornReturnIsComplete',
    P21: 'hypercornReturnIsComplete',
    X14: 'hypercornReturnIsComplete',
    X13: 'hypercornCrashIgnored',
    S21: 'noConnectionClose',
    X19: 'noConnectionClose',
    S22: 'hypercornDrain500',
    S23: 'hypercornKeepAlive',
    X6: 'hypercornKeepAlive',
    X8: 'hypercornSecondSignal',
    X12: 'hypercornNoMessageKey',
    X17: 'hypercornBindNoShutdown',
    X26: 'noShutdownDelay',
    X27: 'noReadinessProbe',
    X28: 'hypercornStreamCut',
    H2: 'hypercornNoDisconnect',
    H9: 'pathNotResolved',
    H16: 'pathNotResolved',
    W6: 'hypercornNoWebsocketDisconnect',
    W8: 'hypercornNoWebsocketDisconnect',
    W12: 'hypercornNoWebsocketDisconnect',
    W13: 'hypercornWebsocketShutdown',
    W14: 'hypercornWebsocketShutdown',
  },
  daphne: {
    ...withoutLifespan,
    X26: 'daphneNoDelay',
    X27: 'daphneNoDelay',
    X28: 'daphneNoDelay',
    C13: 'mountRedirect',
    S21: 'daphneCutsInFlight',
    X5: 'daphneCutsInFlight',
    X19: 'daphneCutsInFlight',
    X23: 'daphneCutsInFlight',
    X17: 'daphneBindExitZero',
    H4: 'daphneOpenAfterError',
    H5: 'daphneOpenAfterError',
    H10: 'daphneBuffers',
    H9: 'daphnePathNotResolved',
    H16: 'daphnePathNotResolved',
    W2: 'daphneNoAcceptHeaders',
    W4: 'daphneNoDenial',
    W6: 'daphneNoCloseReason',
    W7: 'daphneDropsCloseReason',
    W8: 'daphneSendAfterClose',
    W9: 'daphneNoScheme',
    W11: 'daphneNo1009',
    W13: 'daphneWebsocketCut',
    W14: 'daphneNoLifespan',
  },
  ...nodeDifferences,
}
