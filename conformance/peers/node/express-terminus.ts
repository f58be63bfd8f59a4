// The conformance scenario app on Express 5 with @godaddy/terminus, as their documentation has
// it:
// - every child app is an `express.Router()` mounted with `app.use(prefix, router)`, a route
//   with `router.route(path).get(…)` (Express "Routing" guide); request bodies come from
//   `express.raw()` with its `limit`;
// - Express has no lifecycle, so each module's startup work is awaited before `listen`, and a
//   failed start is logged and exits 1 (terminus README, "Usage": `createTerminus(server,
//   options); server.listen(PORT)`);
// - shutdown is terminus on SIGINT and SIGTERM: `onSignal` returns `Promise.all` of every
//   module's cleanup (its README's example), `useExit0` as its Kubernetes section recommends,
//   a `/healthcheck`, and `timeout` (how long it waits for open connections) from the
//   scenario's drain limit.
// - websockets: ws on the server's 'upgrade' event (websocket-recipe.ts), `wss.close()` in onSignal.
// Nothing here adds what Express or terminus does not do.

import { once } from 'node:events'
import { createServer } from 'node:http'
import { createTerminus } from '@godaddy/terminus'
import express, { type Request, type Response, type Router } from 'express'
import { sleep } from '../../apps/steps.ts'
import type { AppSpec, LeafSpec } from '../../scenarios/types.ts'
import { host, limits, maxBodyBytes, port, record, reported, setup } from './contract.ts'
import { answer, queryOf, rawPathOf, type Answer } from './endpoint.ts'
import { plainLifecycle, startOrExit } from './plain-lifecycle.ts'
import { attachWebSockets } from './websocket-recipe.ts'
import { hasLifecycle, loadWithoutLifecycle, type State } from './work.ts'

const state: State = {}
const rawBody = express.raw({ type: () => true, limit: maxBodyBytes ?? '100kb' })

async function send(res: Response, result: Answer): Promise<void> {
  switch (result.kind) {
    case 'json':
      for (const [name, value] of result.headers) res.append(name, value)
      res.status(result.status).send(result.body)
      return
    case 'stream':
      res.status(200).set({ 'content-type': 'application/octet-stream', 'content-length': String(result.chunks * result.chunk.byteLength) })
      for (let i = 0; i < result.chunks; i++) if (!res.write(result.chunk)) await once(res, 'drain')
      res.end()
      result.done()
      return
    case 'throw':
      throw result.error
    case 'partial-then-throw':
      res.status(200).type('text/plain').write('partial')
      await sleep(20)
      throw result.error
    case 'nothing':
      return
  }
}

function handlerFor(name: string) {
  return async (req: Request, res: Response): Promise<void> => {
    const result = await answer(
      name,
      {
        method: req.method,
        path: req.path,
        rootPath: req.baseUrl,
        rawPath: rawPathOf(req.originalUrl),
        queryString: queryOf(req.originalUrl),
        header: (header) => {
          const value = req.get(header)
          return value === undefined ? [] : [value]
        },
        body: async () => (Buffer.isBuffer(req.body) ? req.body : new Uint8Array()),
        disconnected: () => new Promise((resolve) => res.once('close', () => resolve())),
        state,
      },
      record,
    )
    await send(res, result)
  }
}

function leafHandler(leaf: LeafSpec) {
  if (!hasLifecycle(leaf)) loadWithoutLifecycle(leaf, record)
  return handlerFor(leaf.name)
}

function routerFor(spec: AppSpec, built: Map<string, Router>): Router {
  const router = express.Router()
  if (spec.kind === 'app') {
    router.use(rawBody, leafHandler(spec))
  } else {
    for (const entry of spec.routes) {
      if ('same' in entry) router.use(entry.mount, built.get(entry.same)!)
      else if ('mount' in entry) router.use(entry.mount, routerFor(entry.app, built))
      else if (entry.app.kind === 'app') {
        const route = router.route(entry.route)
        const handler = leafHandler(entry.app)
        for (const method of entry.methods) route[method.toLowerCase() as 'get'](rawBody, handler)
      } else router.use(entry.route, routerFor(entry.app, built))
    }
  }
  built.set(spec.name, router)
  return router
}

const app = express()
app.use(routerFor(setup.app, new Map()))
const { startups, cleanups } = plainLifecycle(setup.app, state, record)

await startOrExit(startups)

const server = createServer(app)
const websockets = attachWebSockets(server, setup.app, record)
createTerminus(server, {
  signals: ['SIGINT', 'SIGTERM'],
  healthChecks: { '/healthcheck': async () => {} },
  onSignal: () =>
    reported('shutdown', async () => {
      websockets.close()
      await Promise.all(cleanups.map((cleanup) => cleanup()))
    }),
  useExit0: true,
  // The terminus README's recipe for Kubernetes ("How to use with Kubernetes"): wait in
  // beforeShutdown so that the endpoints catch up before the server stops accepting.
  ...(setup.server?.shutdownDelayMs === undefined
    ? {}
    : { beforeShutdown: () => new Promise<void>((resolve) => setTimeout(resolve, setup.server?.shutdownDelayMs)) }),
  ...(limits.drainMs === undefined ? {} : { timeout: limits.drainMs }),
  logger: (message, error) => console.error(message, error),
})
server.listen(port, host)
