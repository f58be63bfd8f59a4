// Per-client counts that hold for the whole machine under serve({ workers }). A cap such as
// "100 GET streams per client address" kept in each worker would let one address hold 100 in
// every worker: node:cluster spreads a client's connections over all of them. So the counts
// live in the primary, one table for every worker: a worker asks before it lets one more in
// (`take`, one IPC round trip) and tells when it ends (`release`, one way). The primary handles
// its messages one at a time, so a take is checked and counted at once, and a release sent
// before a take on the same channel is counted first. A worker that exits leaves nothing
// behind: the primary drops what it held.

import cluster from 'node:cluster'

import { providePrimaryService } from './hub.ts'
import { callPrimary, notifyPrimary } from './link.ts'

const SERVICE = 'tsgi:client-tally'

interface Take {
  key: string
  client: string
  limit: number
}

/** What each worker holds per `key \0 client`, and their sum. */
const held = new Map<string, { total: number; byWorker: Map<number, number> }>()

function take(worker: number, { key, client, limit }: Take): boolean {
  const name = `${key}\0${client}`
  const entry = held.get(name) ?? { total: 0, byWorker: new Map<number, number>() }
  if (entry.total >= limit) return false
  entry.total++
  entry.byWorker.set(worker, (entry.byWorker.get(worker) ?? 0) + 1)
  held.set(name, entry)
  return true
}

function release(worker: number, { key, client }: Omit<Take, 'limit'>): void {
  const name = `${key}\0${client}`
  const entry = held.get(name)
  const mine = entry?.byWorker.get(worker) ?? 0
  if (entry === undefined || mine === 0) return
  entry.total--
  if (mine === 1) entry.byWorker.delete(worker)
  else entry.byWorker.set(worker, mine - 1)
  if (entry.total === 0) held.delete(name)
}

if (cluster.isPrimary) {
  providePrimaryService(SERVICE, {
    call: (from, body) => take(from, body as Take),
    notify: (from, body) => release(from, body as Take),
    exited(id) {
      for (const [name, entry] of held) {
        const mine = entry.byWorker.get(id) ?? 0
        if (mine === 0) continue
        entry.total -= mine
        entry.byWorker.delete(id)
        if (entry.total === 0) held.delete(name)
      }
    },
  })
}

/** One cap (`key`, say "mcp app 0's streams") of `limit` per client address, over every worker. */
export class MachineClientTally {
  readonly #key: string
  readonly #limit: number

  constructor(key: string, limit: number) {
    this.#key = key
    this.#limit = limit
  }

  /**
   * Counts one more for `client` unless the machine holds `limit` of them already: false then.
   * A primary that does not answer (it is going away) lets nothing more in.
   */
  async take(client: string): Promise<boolean> {
    if (this.#limit === Infinity) return true
    try {
      return (await callPrimary(SERVICE, { key: this.#key, client, limit: this.#limit })) === true
    } catch {
      return false
    }
  }

  release(client: string): void {
    if (this.#limit === Infinity) return
    notifyPrimary(SERVICE, { key: this.#key, client })
  }
}
