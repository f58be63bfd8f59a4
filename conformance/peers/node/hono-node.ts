// The conformance scenario app on Hono 4 and @hono/node-server, as Hono's documentation has it:
// - every child app is a `new Hono()` composed with `app.route(prefix, child)` ("Grouping" in
//   the API docs); handlers get the Web `Request` (`c.req.raw`) and return a `Response`; a
//   request body limit is the `bodyLimit` middleware;
// - Hono has no lifecycle, so each module's startup work is awaited before `serve()`, and a
//   failed start is logged and exits 1;
// - shutdown is the "Graceful shutdown" recipe of the Node.js page (hono.dev, Getting Started,
//   Node.js): on SIGINT `server.close()` then `process.exit(0)`; on SIGTERM `server.close(cb)`
//   and exit in the callback. The recipe has no cleanup of its own: the user's, added before
//   each exit, is every module's in reverse order of startup, one after the other.
// - websockets: @hono/node-ws is not a dependency here, so ws on node-server's 'upgrade' event
//   (websocket-recipe.ts; what @hono/node-ws itself does under `injectWebSocket(server)`), and
//   `wss.close()` at each signal, as @hono/node-ws's close does.
// Nothing here adds what Hono does not do.

import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppSpec, LeafSpec } from '../../scenarios/types.ts'
import { host, maxBodyBytes, port, record, reported, setup } from './contract.ts'
import { answer, queryOf, type Answer } from './endpoint.ts'
import { plainLifecycle, startOrExit } from './plain-lifecycle.ts'
import { attachWebSockets } from './websocket-recipe.ts'
import { hasLifecycle, loadWithoutLifecycle, type State } from './work.ts'

const state: State = {}

function respond(result: Answer): Response {
  switch (result.kind) {
    case 'json': {
      const headers = new Headers()
      for (const [name, value] of result.headers) headers.append(name, value)
      return new Response(result.body, { status: result.status, headers })
    }
    case 'stream': {
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === result.chunks) {
            controller.close()
            result.done()
            return
          }
          sent++
          controller.enqueue(result.chunk)
        },
      })
      return new Response(body, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(result.chunks * result.chunk.byteLength) },
      })
    }
    case 'throw':
      throw result.error
    case 'partial-then-throw': {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('partial'))
          setTimeout(() => controller.error(result.error), 20)
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/plain' } })
    }
    case 'nothing':
      // What a handler that forgot to respond returns; Hono decides what the client gets.
      return undefined as unknown as Response
  }
}

function leafApp(leaf: LeafSpec, methods?: string[]): Hono {
  if (!hasLifecycle(leaf)) loadWithoutLifecycle(leaf, record)
  const handler = async (c: Context): Promise<Response> => {
    const url = new URL(c.req.url)
    const result = await answer(
      leaf.name,
      {
        method: c.req.method,
        path: c.req.path,
        rootPath: '',
        rawPath: url.pathname,
        queryString: queryOf(c.req.url),
        header: (name) => {
          const value = c.req.header(name)
          return value === undefined ? [] : [value]
        },
        body: async () => new Uint8Array(await c.req.arrayBuffer()),
        disconnected: () =>
          new Promise((resolve) => {
            const signal = c.req.raw.signal
            if (signal.aborted) resolve()
            else signal.addEventListener('abort', () => resolve(), { once: true })
          }),
        state,
      },
      record,
    )
    return respond(result)
  }
  const app = new Hono()
  if (methods !== undefined) app.on(methods, '/', handler)
  else app.all('/*', handler)
  return app
}

function appFor(spec: AppSpec, built: Map<string, Hono>): Hono {
  if (spec.kind === 'app') {
    const app = leafApp(spec)
    built.set(spec.name, app)
    return app
  }
  const app = new Hono()
  for (const entry of spec.routes) {
    if ('same' in entry) app.route(entry.mount, built.get(entry.same)!)
    else if ('mount' in entry) app.route(entry.mount, appFor(entry.app, built))
    else app.route(entry.route, entry.app.kind === 'app' ? leafApp(entry.app, entry.methods) : appFor(entry.app, built))
  }
  built.set(spec.name, app)
  return app
}

const app = new Hono()
if (maxBodyBytes !== undefined) app.use('*', bodyLimit({ maxSize: maxBodyBytes }))
app.route('/', appFor(setup.app, new Map()))
const { startups, cleanups } = plainLifecycle(setup.app, state, record)

await startOrExit(startups)

const server = serve({ fetch: app.fetch, port, hostname: host })
const websockets = attachWebSockets(server as Server, setup.app, record)

async function cleanedUp(): Promise<boolean> {
  try {
    await reported('shutdown', async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup()
    })
    return true
  } catch (error) {
    console.error('cleanup failed:', error)
    return false
  }
}

process.on('SIGINT', async () => {
  server.close()
  websockets.close()
  process.exit((await cleanedUp()) ? 0 : 1)
})
process.on('SIGTERM', () => {
  websockets.close()
  server.close(async (error) => {
    if (error) {
      console.error(error)
      process.exit(1)
    }
    process.exit((await cleanedUp()) ? 0 : 1)
  })
})
