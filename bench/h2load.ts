// The load generator for HTTP/2: nghttp2's `h2load` (Debian's nghttp2-client), since
// autocannon speaks HTTP/1.1 only. One run per slice, as autocannon is run: `connections`
// connections, each with up to `pipelining` concurrent streams (h2load's -m), for `duration`
// seconds; its per-request log gives the p99. http:// URLs are h2c with prior knowledge.

import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { LoadOptions, LoadResult } from './autocannon.ts'

const run = promisify(execFile)

/** Why h2load cannot run here, or null. */
export function h2loadMissing(): string | null {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8' })
  return probe.status === 0 ? null : 'h2load is not installed (apt-get install nghttp2-client): autocannon does not speak HTTP/2'
}

function count(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output)
  if (match === null) throw new Error(`h2load printed no ${what}:\n${output}`)
  return Number(match[1])
}

function p99Ms(log: string): number {
  // Each line: the request's start (µs since the epoch), its status, its duration (µs).
  const durations = log
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Number(line.split('\t')[2]))
    .sort((a, b) => a - b)
  if (durations.length === 0) return 0
  return durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))]! / 1000
}

export async function h2load(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-h2load-'))
  const logFile = join(dir, 'requests.log')
  try {
    const duration = Math.max(0.1, options.duration)
    const { stdout } = await run(
      'h2load',
      ['-c', String(options.connections), '-m', String(options.pipelining), '-D', String(duration), `--log-file=${logFile}`, options.url],
      { maxBuffer: 1 << 20 },
    )
    const finished = count(stdout, /finished in ([\d.]+)s/, 'duration')
    const done = count(stdout, /requests: \d+ total, \d+ started, (\d+) done/, 'request count')
    const failed = count(stdout, /(\d+) failed/, 'failure count')
    const errored = count(stdout, /(\d+) errored/, 'error count')
    const timeouts = count(stdout, /(\d+) timeout/, 'timeout count')
    const ok = count(stdout, /status codes: (\d+) 2xx/, 'status counts')
    return {
      duration: finished,
      requests: { average: done / finished, total: done },
      latency: { p99: p99Ms(readFileSync(logFile, 'utf8')), average: 0 },
      errors: failed + errored,
      timeouts,
      non2xx: done - ok,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
