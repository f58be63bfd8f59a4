// tsgi/express: a tsgi app as Express 5 middleware. Express owns no lifecycle, so startup()
// and close() are the caller's to call, around app.listen() and server.close().

import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { App } from '../protocol/types.ts'
import { embedCore, type Embedded, type EmbedOptions } from './embed.ts'
import { withEmbedded } from './face.ts'

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
