// autocannon ships no types; this is the slice of its API and result the runner reads.

import { createRequire } from 'node:module'

export interface LoadRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
  /** Rewrites each request before it is sent: how a load gives every JSON-RPC call its own id. */
  setupRequest?: (request: LoadRequest) => LoadRequest
}

export interface LoadOptions {
  url: string
  connections: number
  pipelining: number
  duration: number
  method?: string
  headers?: Record<string, string>
  body?: string
  requests?: LoadRequest[]
}

export interface LoadResult {
  /** Seconds the load actually ran. */
  duration: number
  requests: { average: number; total: number }
  latency: { p99: number; average: number }
  errors: number
  timeouts: number
  non2xx: number
}

const autocannon = createRequire(import.meta.url)('autocannon') as (options: LoadOptions) => Promise<LoadResult>

export function load(options: LoadOptions): Promise<LoadResult> {
  return autocannon(options)
}
