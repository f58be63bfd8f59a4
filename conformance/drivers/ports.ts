import { mkdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const HOST = '127.0.0.1'

// A port is handed to a server process that binds it a moment later. Asking the kernel for a
// free one (bind 0, close) lets two sessions, or two runners, get the same port in that gap;
// so ports come from below Linux's ephemeral range (nobody else is handed them by the kernel)
// and each is claimed with an atomic mkdir that every runner on the machine respects.
const LOW = 20_000
const HIGH = 32_000
const claims = join(tmpdir(), 'tsgi-conformance-ports')
const STALE_MS = 10 * 60_000

function claim(port: number): boolean {
  const dir = join(claims, String(port))
  try {
    mkdirSync(dir)
    return true
  } catch {
    try {
      // A runner that died keeps its claims; old ones are free again.
      if (Date.now() - statSync(dir).mtimeMs > STALE_MS) {
        rmSync(dir, { recursive: true, force: true })
        mkdirSync(dir)
        return true
      }
    } catch {
      // someone else took it
    }
    return false
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, HOST, () => server.close(() => resolve(true)))
  })
}

/** A port nothing listens on and no other session holds; `release()` when the session ends. */
export async function freePort(): Promise<{ port: number; release(): void }> {
  mkdirSync(claims, { recursive: true })
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (!claim(port)) continue
    if (await bindable(port)) return { port, release: () => rmSync(join(claims, String(port)), { recursive: true, force: true }) }
    rmSync(join(claims, String(port)), { recursive: true, force: true })
  }
  throw new Error('no free port found for the server')
}

/** Holds a port (for scenarios where the server must find it taken). */
export function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => socket.destroy())
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      if (typeof address !== 'object' || address === null) return reject(new Error('no port'))
      resolve({ port: address.port, release: () => new Promise((done) => server.close(() => done())) })
    })
  })
}
