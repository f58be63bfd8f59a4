// autocannon ships no types; this is the slice of its API and result the runner reads.

import { createRequire } from 'node:module'

export interface LoadOptions {
  url: string
  connections: number
  pipelining: number
  duration: number
}

export interface LoadResult {
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
