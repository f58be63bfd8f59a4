// tsgi/express: a tsgi app as Express 5 middleware. Express owns no lifecycle, so startup()
// and close() are the caller's to call, around app.listen() and server.close().

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'
import { embedCore, type Embedded, type EmbedOptions } from './embed.ts'
import { withEmbedded } from './face.ts'
import { notFound, routeThroughHost } from './upgrade.ts'

export type { Embedded, EmbedOptions } from './embed.ts'

/**
 * Express has no startup or shutdown hooks: call `startup()` before `listen()`, and at the end
 * `server.close()` (stop accepting) and then `close()` (end tsgi's streams, run the shutdown;
 * the server finishes once its last connection went). The middleware gives the app `rootPath` from the mount (`baseUrl`)
 * and `rawPath` from `originalUrl`; a body a parser already read is handed over again.
 * @example
 * const mounted = toExpress(agentApp, { onShutdown: [flush] })
 * expressApp.use('/agent', mounted)
 * await mounted.startup()
 * const server = expressApp.listen(3000)
 * process.once('SIGTERM', async () => { server.close(); await mounted.close() })
 */
export function toExpress(app: App, options: EmbedOptions = {}): RequestHandler & Embedded {
  const core = embedCore(app, options, 'toExpress()')
  const middleware = function tsgiMiddleware(req: Request, res: Response, _next: NextFunction): void {
    core.serveNode(req, res, { target: req.originalUrl, root: req.baseUrl, body: null })
  }
  return withEmbedded(middleware, core)
}

/** An Express application (or router) called as the request handler it is. */
type ExpressHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => unknown

/**
 * Express routes requests, not upgrades: this node:http 'upgrade' listener sends each upgrade
 * request through `expressApp`'s routing, so a tsgi app mounted with `expressApp.use(prefix,
 * mounted)` gets its websocket scopes with that prefix as rootPath, and Express middleware
 * before it (authentication) runs first. An upgrade nothing takes gets Express's answer, or
 * 404, on the socket.
 * @example
 * const server = expressApp.listen(3000)
 * server.on('upgrade', routeUpgrade(expressApp))
 */
export function routeUpgrade(expressApp: ExpressHandler): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  if (typeof expressApp !== 'function') {
    throw new InvalidArgumentError(`routeUpgrade() needs the Express application, got ${expressApp === null ? 'null' : typeof expressApp}`)
  }
  return (req, socket, head) => {
    const upgrade = routeThroughHost(req, socket, head)
    expressApp(req, upgrade.res, (error) => notFound(upgrade, error))
  }
}
