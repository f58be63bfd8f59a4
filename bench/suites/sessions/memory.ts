// The sessions suite's memory figure: growth after a GC per 10,000 abandoned sessions
// (initialize, never DELETE), with the default cap and without one, each in a fresh child.
// Both the live heap (what the sessions hold) and RSS (what the OS sees; V8 keeps freed pages,
// so it overstates what is live) are reported.

import { fork } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'

const SESSIONS = 10_000
const host = fileURLToPath(new URL('./memory-host.ts', import.meta.url))
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
})

function post(port: number): Promise<void> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
    req.on('error', () => resolve())
    req.end(initialize)
  })
}

async function growth(maxSessions: number): Promise<{ mb: number; heapMb: number; sessions: number }> {
  const child = fork(host, { execArgv: ['--expose-gc', '--import', 'tsx'], env: { ...process.env, MAX_SESSIONS: String(maxSessions) } })
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }]
    const rss = async () => {
      child.send('rss')
      return ((await once(child, 'message')) as [{ rss: number; heap: number; sessions: number }])[0]
    }
    for (let i = 0; i < 20; i++) await post(port) // warm the code paths
    const before = await rss()
    let next = 0
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < SESSIONS) await post(port)
      }),
    )
    const after = await rss()
    const mb = (bytes: number) => bytes / 1024 / 1024
    return { mb: mb(after.rss - before.rss), heapMb: mb(after.heap - before.heap), sessions: after.sessions }
  } finally {
    child.kill()
  }
}

/** Lines for the report: MB of RSS per 10,000 abandoned sessions, capped and not. */
export async function sessionMemory(): Promise<string[]> {
  const capped = await growth(1_000)
  const uncapped = await growth(1_000_000)
  return [
    `growth per ${SESSIONS.toLocaleString('en')} abandoned sessions (after GC):`,
    `  maxSessions 1,000 (default)  heap +${capped.heapMb.toFixed(1)} MB, RSS +${capped.mb.toFixed(1)} MB, ${capped.sessions} sessions kept`,
    `  no cap                       heap +${uncapped.heapMb.toFixed(1)} MB, RSS +${uncapped.mb.toFixed(1)} MB, ${uncapped.sessions} sessions kept`,
    `  capped / uncapped            heap ${(capped.heapMb / uncapped.heapMb).toFixed(3)}, RSS ${(capped.mb / uncapped.mb).toFixed(3)}`,
  ]
}
