// The reverse of toNodeHandler(): an existing `(req, res, next)` handler (an Express or Connect
// app, any request listener) as a tsgi child. It writes its response straight to the socket,
// so it keeps its own streaming and back-pressure; tsgi gives it the mount (req.url relative
// to it, originalUrl and baseUrl as Express sets them) and a place in the composed lifecycle.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { plainAnswer } from './response.ts'
import { NODE_EXCHANGE } from './scope.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, HttpScope, Logger } from '../protocol/types.ts'
import { sendPlain } from '../protocol/plain-response.ts'
import { refuseWebSocket } from '../protocol/refuse-websocket.ts'

/** A request listener or a Connect-style middleware. */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown

export interface FromNodeHandlerOptions {
  /** Where next(error) is logged, one line naming the method and path. Default: the lifespan logger, else console. */
  logger?: Logger
}

type ExpressRequest = IncomingMessage & { originalUrl?: string; baseUrl?: string }

/** The exchange behind a scope, when its host has a node:http pair to give up (the bridge's Exchange, embed's answered one). */
interface HandsOver {
  handOver(): { req: IncomingMessage; res: ServerResponse } | null
}

const NO_NODE_REQUEST =
  'fromNodeHandler: this host gives no node:http request to hand over (serve it with serve(), toNodeHandler() or embed().node)'

/**
 * Runs a node:http handler as an App: requests go to it with `req.url` relative to the mount,
 * `req.originalUrl` the full target and `req.baseUrl` the rootPath; `next()` answers 404 and
 * `next(error)` 500 (logged, never shown). It has no lifespan of its own.
 * @example
 * const legacy = express().get('/users', (req, res) => res.json([]))
 * await serve(router([mount('/legacy', fromNodeHandler(legacy)), mount('/', app)]))
 */
export function fromNodeHandler(handler: NodeRequestHandler, options: FromNodeHandlerOptions = {}): App {
  if (typeof handler !== 'function') {
    throw new InvalidArgumentError(`fromNodeHandler() needs a function (req, res, next), got ${handler === null ? 'null' : typeof handler}`)
  }
  let logger: Logger = options.logger ?? console
  return function nodeHandlerApp(scope, _receive, send) {
    if (scope.type === 'lifespan') {
      if (options.logger === undefined && scope.logger !== undefined) logger = scope.logger
      return Promise.resolve()
    }
    if (scope.type === 'websocket') return refuseWebSocket(send)
    const exchange = (scope as HttpScope & { [NODE_EXCHANGE]?: HandsOver })[NODE_EXCHANGE]
    const taken = exchange?.handOver() ?? null
    if (taken === null) {
      logger.error(`tsgi: ${scope.method} ${scope.rawPath}: ${NO_NODE_REQUEST}`)
      return sendPlain(send, 500, 'Internal Server Error')
    }
    return handOff(handler, scope, taken.req as ExpressRequest, taken.res, logger)
  }
}

/** Resolves when the response is over (finished, or the client left), so drains wait for it. */
function handOff(handler: NodeRequestHandler, scope: HttpScope, req: ExpressRequest, res: ServerResponse, logger: Logger): Promise<void> {
  const query = scope.queryString === '' ? '' : `?${scope.queryString}`
  const root = scope.rootPath
  req.originalUrl = scope.rawPath + query
  req.baseUrl = root
  // The raw remainder after the mount: the handler routes on what follows its prefix.
  const rest = root !== '' && scope.rawPath.startsWith(root) ? scope.rawPath.slice(root.length) : scope.path
  req.url = (rest === '' ? '/' : rest) + query
  return new Promise<void>((resolve) => {
    res.once('close', resolve)
    const next = (error?: unknown): void => {
      if (res.headersSent) {
        if (error !== undefined) res.destroy()
        return
      }
      if (error === undefined || error === null || error === 'route' || error === 'router') {
        plainAnswer(res, 404, 'Not Found', false)
        return
      }
      logger.error(`tsgi: ${scope.method} ${scope.rawPath}: the node handler passed an error to next(); answered 500`, error)
      plainAnswer(res, 500, 'Internal Server Error', false)
    }
    try {
      const result = handler(req, res, next)
      if (result instanceof Promise) result.catch(next)
    } catch (error) {
      next(error)
    }
  })
}
