// serve()'s guards against one client taking what all clients share: connections per client
// address, and how long a response may wait on a client that stopped reading. Read once when
// serve() is called, each checked with a sentence naming the option.

export interface GuardOptions {
  /**
   * Open connections one client address may hold; past it a new one is closed at once. Trusted
   * proxies (`trustProxy`) are exempt: their connections carry many clients. Default 1 000, a
   * tenth of maxConnections' default.
   */
  maxConnectionsPerClient?: number
  /**
   * A response whose client has taken none of the bytes waiting for it for this long is cut (its
   * socket destroyed), so a client that stops reading cannot hold a response's memory. Default 30 000.
   */
  writeTimeoutMs?: number
}

export interface Guards {
  maxConnectionsPerClient: number
  writeTimeoutMs: number
}

export const DEFAULT_GUARDS: Readonly<Guards> = Object.freeze({ maxConnectionsPerClient: 1_000, writeTimeoutMs: 30_000 })

export function readGuards(options: GuardOptions, fail: (message: string) => never): Guards {
  const { maxConnectionsPerClient = DEFAULT_GUARDS.maxConnectionsPerClient, writeTimeoutMs = DEFAULT_GUARDS.writeTimeoutMs } = options
  if (
    typeof maxConnectionsPerClient !== 'number' ||
    !(maxConnectionsPerClient >= 1) ||
    (!Number.isInteger(maxConnectionsPerClient) && maxConnectionsPerClient !== Infinity)
  ) {
    fail(`maxConnectionsPerClient must be a positive integer or Infinity, got ${String(options.maxConnectionsPerClient)}`)
  }
  if (typeof writeTimeoutMs !== 'number' || !Number.isFinite(writeTimeoutMs) || writeTimeoutMs <= 0) {
    fail(`writeTimeoutMs must be a positive, finite number of milliseconds, got ${String(options.writeTimeoutMs)}`)
  }
  return { maxConnectionsPerClient, writeTimeoutMs }
}
