// Why a Node peer fails a scenario: what its framework does instead, measured with Fastify 5,
// close-with-grace 2, Express 5 with @godaddy/terminus 4, and Hono 4 on @hono/node-server 2
// (conformance/peers/node/). differences.ts merges these with the ASGI peers'.

export type NodePeer = 'fastify' | 'express-terminus' | 'hono-node'

export const nodeBehaviours = {
  nodeStopsListening:
    'The documented shutdown (`fastify.close()`, or `server.close()` in the signal handler) stops accepting the moment the signal arrives: the framework has no phase that keeps serving, nor a readiness answer that turns 503 first, so a request or probe still routed to the process after SIGTERM is refused.',
  terminusBeforeShutdown:
    "terminus keeps serving while `beforeShutdown` waits (its README's Kubernetes recipe), but its answers go out without `Connection: close`, so pooled clients stay on the process; and the app's own /readyz keeps answering 200 (terminus turns only its own health-check paths to 503).",
  noHeldStream:
    'Not measured for the stream: the Node peers do not act out the held event stream (`do=hold`) yet, so the stream half of this scenario fails for the peer app, not for the framework; the request during the delay fares as in X26.',
  loadedFirst:
    'A child without lifecycle work (HTTP-only, or with nothing to do) is a plugin or router like any other: the framework loads it while the app is assembled, before any startup work runs, so its event comes before the first child starts.',
  fastifyNoRollback:
    "A failed `onReady` hook rejects `ready()` and nothing more: no `onClose` hook runs for what already started, and the documented start (`fastify.log.error(err); process.exit(1)`) exits with it still open. The error is the hook's own; it names neither the plugin nor its prefix.",
  fastifyListenExit:
    "When `listen` fails (the port is taken) the documented start logs and exits 1 without `fastify.close()`: the started plugins' `onClose` hooks never run.",
  fastifyLastCloseError:
    'Fastify runs every `onClose` hook even when one fails, but `close()` rejects with the last error only: the earlier failures are lost.',
  fastifyTwice: 'Registering a plugin under a second prefix runs its body again, so its `onReady` and `onClose` hooks run twice.',
  fastifyCrashCloses:
    "close-with-grace takes the crash (an unhandled rejection) as a reason to close: it calls `fastify.close()` at once, the crashed plugin's `onClose` included, and exits 1; no shutdown error names the child.",
  fastifyRootHooksFirst:
    "The root instance's `onReady` hooks run before any plugin's, wherever they were added: the onStartup hooks run before the apps have started.",
  fastifyCloseLifo:
    '`onClose` hooks run last in, first out: the onShutdown hooks run in reverse order, and (added to the root before the plugins loaded) only after the apps have stopped.',
  fastifyHookNoContext: 'An `onReady` hook gets no argument (`this` is the instance): no AbortSignal and no state object of its own.',
  fastifyLogsSecret:
    "Fastify's logger prints the failed hook's error in full, message included (the secret with it), and does not name the hook.",
  sharedState: 'Every request sees the one state object the app shares: a key replaced by one request is what the next one sees.',
  fastifySignalInStartup:
    'A signal during startup makes close-with-grace call `fastify.close()` while `ready()` still runs: the `onClose` hooks run, those of the plugin whose startup then fails included.',
  fastifyNoDrainLimit:
    "Fastify has no drain limit: `close()` waits for the request in flight, and close-with-grace's `delay` bounds the whole close, not the drain.",
  fastifyNoConnectionClose:
    'The response already in flight when `close()` begins carries no `Connection: close` (Fastify adds it only to requests that arrive after); the socket is closed after it.',
  nodeNoConnectionClose:
    'The response already in flight when `server.close()` begins carries no `Connection: close`; node:http closes the socket after it.',
  fastifyErrorMessage: "Fastify's default error handler answers 500 with the error's message in the JSON body.",
  fastifyUndefinedIs200: 'An async handler that resolves without sending anything gets 200 with an empty body.',
  fastify304Length: "A 304 keeps the app's `content-length` but loses the body, so the client sees a length mismatch (204 is right).",
  fastifyPathNotResolved:
    "find-my-way percent-decodes the path but does not resolve dot segments ('/a/../b' stays, '%2e%2e' and '%2f' become '..' and '/').",
  not405: 'A known path asked with another method gets 404, without an `Allow` header.',
  joinedHeaders:
    "Repeated request headers reach the handler joined into one string ('one, two'): node's `IncomingMessage.headers` and the Fetch `Headers` keep the list only in `rawHeaders`.",
  plainNoRollback:
    "Startup is code awaited before listen: when one step throws, the start logs and exits 1, and nothing stops the modules that already started. The error is the step's own; it names no mount path.",
  plainListenExit:
    'A failed listen (the port is taken) is an unhandled `error` event: the process dies with exit 1 and no cleanup runs for what started.',
  plainCrash: 'The crash is an unhandled rejection: Node ends the process at once with exit 1, and no cleanup runs.',
  plainSignalInStartup:
    'A signal during startup arrives before any handler is installed (they come with the server, after startup): the default action kills the process, with no cleanup and no exit code.',
  terminusPromiseAll:
    "terminus's README cleans up with `Promise.all` in `onSignal`: every module's cleanup starts at once in the order listed, so nothing stops in reverse and a router's teardown does not wait for its children.",
  terminusSecondSignal: 'terminus ignores a second signal while it shuts down (`isShuttingDown`): the slow cleanup runs to its end.',
  expressErrorStack:
    "Express's default error handler answers 500 with the error's message and stack in the HTML body unless `NODE_ENV` is 'production'.",
  expressNoAnswer: 'A handler that never responds leaves the request open: Express has no default answer, and the client gives up first.',
  expressRawPath:
    "`req.path` is neither percent-decoded nor resolved ('/caf%C3%A9', '/a/../b' and '%2e%2e' stay as sent), and a malformed escape passes through.",
  honoFullPath:
    'A Hono app mounted with `app.route(prefix, child)` sees the full path: there is no path relative to the mount and no root path.',
  honoFirstFailureEnds:
    "The recipe's cleanup is the user's own code, one module after the other: the first failure ends it, so the modules after it never stop and nothing in Hono runs them.",
  honoSecondSignal:
    "The recipe's handlers are `process.on`: a second SIGINT closes again and starts the cleanup again instead of forcing exit.",
  honoUndefinedIs404: "A handler that returns nothing falls through to Hono's not-found handler: 404.",
  honoNullBodyStatus:
    'A 204 or 304 with a body from the app is sent with a `content-length` for a body that never comes, so the client sees a length mismatch.',
  honoBadEscape:
    "A malformed escape ('%zz') passes through with 200, and an encoded slash is not decoded before dot segments are resolved ('/x%2f..%2f..%2fy' stays).",
  wsNoRoute:
    'ws\'s README recipe ("Multiple servers sharing a single HTTP/S server") destroys the socket of an upgrade whose path no route takes: the client sees the connection cut, not an HTTP 403.',
  wsDefaultPayload:
    "ws's default `maxPayload` is 100 MiB: the 17 MiB message reaches the handler and is echoed back; nothing closes with 1009.",
  terminusCutsWebsockets:
    "`wss.close()` closes no open websocket (ws 8, ws#2137); terminus's `timeout` (1 s by default) then destroys every socket left, the upgraded one included: the client gets no close frame (1006) and the process exits before ws tells the handler, so the app never sees the disconnect.",
  fastifyWsNotFound:
    "An upgrade to a path no route takes goes through Fastify's routing like any request (@fastify/websocket): its 404 handler answers, not a 403.",
  fastifyWsNoCode:
    "@fastify/websocket's default `preClose` closes every open websocket with `client.close()`, no code: the client sees 1005 (no status), and the process ends before the handler hears the close, so the app is never told its websocket ended.",
  serverWaitsForWebsockets:
    "`wss.close()` closes no open websocket (ws 8, ws#2137) and the node server's close waits for every connection, the upgraded ones included: the open websocket is never told, and SIGTERM does not end the process within 10 s.",
} as const

type NodeBehaviour = keyof typeof nodeBehaviours

const loadOrder: Record<string, NodeBehaviour> = { C6: 'loadedFirst', C7: 'loadedFirst', C23: 'loadedFirst' }
/** Express's and Hono's ws recipe on the node server's 'upgrade' event (conformance/peers/node/websocket-recipe.ts). */
const wsRecipe: Record<string, NodeBehaviour> = { W10: 'wsNoRoute', W11: 'wsDefaultPayload' }
const waitsForWebsockets: Record<string, NodeBehaviour> = {
  W13: 'serverWaitsForWebsockets',
  W14: 'serverWaitsForWebsockets',
  W15: 'serverWaitsForWebsockets',
}
const plainStartup: Record<string, NodeBehaviour> = {
  C4: 'plainNoRollback',
  C9: 'plainNoRollback',
  C20: 'plainNoRollback',
  C22: 'plainNoRollback',
  X17: 'plainListenExit',
  C24: 'plainCrash',
  X7: 'plainSignalInStartup',
  X21: 'plainSignalInStartup',
}

export const nodeDifferences: Record<NodePeer, Record<string, NodeBehaviour>> = {
  fastify: {
    ...loadOrder,
    X26: 'nodeStopsListening',
    X27: 'nodeStopsListening',
    X28: 'noHeldStream',
    C4: 'fastifyNoRollback',
    C9: 'fastifyNoRollback',
    C20: 'fastifyNoRollback',
    C22: 'fastifyNoRollback',
    S16: 'fastifyNoRollback',
    X25: 'fastifyNoRollback',
    X17: 'fastifyListenExit',
    C8: 'fastifyLastCloseError',
    C15: 'not405',
    C16: 'fastifyTwice',
    C24: 'fastifyCrashCloses',
    S17: 'fastifyRootHooksFirst',
    S18: 'fastifyCloseLifo',
    X24: 'fastifyCloseLifo',
    S6: 'fastifyLogsSecret',
    S7: 'fastifyHookNoContext',
    S8: 'sharedState',
    S21: 'fastifyNoConnectionClose',
    X19: 'fastifyNoConnectionClose',
    S22: 'fastifyNoDrainLimit',
    X21: 'fastifySignalInStartup',
    H3: 'fastifyErrorMessage',
    H5: 'fastifyUndefinedIs200',
    H6: 'joinedHeaders',
    H7: 'fastify304Length',
    H9: 'fastifyPathNotResolved',
    H16: 'fastifyPathNotResolved',
    W10: 'fastifyWsNotFound',
    W11: 'wsDefaultPayload',
    W13: 'fastifyWsNoCode',
    W14: 'fastifyWsNoCode',
  },
  'express-terminus': {
    ...loadOrder,
    X26: 'terminusBeforeShutdown',
    X27: 'terminusBeforeShutdown',
    X28: 'noHeldStream',
    ...plainStartup,
    C1: 'terminusPromiseAll',
    C2: 'terminusPromiseAll',
    C3: 'terminusPromiseAll',
    C8: 'terminusPromiseAll',
    C16: 'terminusPromiseAll',
    C19: 'terminusPromiseAll',
    C26: 'terminusPromiseAll',
    C27: 'terminusPromiseAll',
    C15: 'not405',
    S21: 'nodeNoConnectionClose',
    X19: 'nodeNoConnectionClose',
    X8: 'terminusSecondSignal',
    H3: 'expressErrorStack',
    H5: 'expressNoAnswer',
    H6: 'joinedHeaders',
    H9: 'expressRawPath',
    H12: 'expressRawPath',
    H16: 'expressRawPath',
    ...wsRecipe,
    W13: 'terminusCutsWebsockets',
  },
  'hono-node': {
    ...loadOrder,
    X26: 'nodeStopsListening',
    X27: 'nodeStopsListening',
    X28: 'noHeldStream',
    ...plainStartup,
    C8: 'honoFirstFailureEnds',
    C27: 'honoFirstFailureEnds',
    C13: 'honoFullPath',
    C14: 'honoFullPath',
    C25: 'honoFullPath',
    C15: 'not405',
    S21: 'nodeNoConnectionClose',
    X19: 'nodeNoConnectionClose',
    X8: 'honoSecondSignal',
    H5: 'honoUndefinedIs404',
    H6: 'joinedHeaders',
    H7: 'honoNullBodyStatus',
    H9: 'honoBadEscape',
    H16: 'honoBadEscape',
    ...wsRecipe,
    ...waitsForWebsockets,
  },
}
