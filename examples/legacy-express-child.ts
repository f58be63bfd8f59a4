// An existing Express 5 app, unchanged, becomes a child of serve(): it gains startup and
// shutdown hooks (a "database" opened before the port opens and closed after the last
// request), a drain that lets in-flight requests finish, and SIGINT/SIGTERM handling.
//
//   npx tsx examples/legacy-express-child.ts     (PORT and HOST honoured)
//
// GET /legacy/users and GET /legacy/slow (answers after SLOW_MS, default 300) are the legacy
// app's routes, under /legacy; GET /health is a tsgi route beside it.

import express from 'express'
import { fromNodeHandler, mount, route, router, sendJson, serve, type LifespanContext } from '../src/index.ts'

/** Stands for a real pool: opened at startup, closed at shutdown, read by the legacy routes. */
class Database {
  open = true
  users(): string[] {
    if (!this.open) throw new Error('the database is closed')
    return ['ada', 'grace']
  }
}

const db = new Database()
const slowMs = Number(process.env.SLOW_MS ?? 300)

const legacy = express()
legacy.get('/users', (_req, res) => {
  res.json(db.users())
})
legacy.get('/slow', (_req, res) => {
  setTimeout(() => res.json({ done: true, users: db.users() }), slowMs)
})

const app = router([
  route('GET', '/health', async (_scope, _receive, send) => sendJson(send, 200, { ok: true })),
  mount('/legacy', fromNodeHandler(legacy)),
])

await serve(app, {
  onStartup: [
    (_ctx: LifespanContext) => {
      db.open = true
      console.log('database opened')
    },
  ],
  onShutdown: [
    (_ctx: LifespanContext) => {
      db.open = false
      console.log('database closed')
    },
  ],
  drainTimeoutMs: 5_000,
})
