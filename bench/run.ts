// `npm run bench`: every server in bench/servers/ against the raw node:http baseline, in
// interleaved rounds, each server in its own child process so the load generator (here, in the
// parent) never shares an event loop with it. Absolute req/s depend on the machine and on what
// else runs on it; the ratio to raw, measured in the same round, is the figure that travels.
//
// Env: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (100),
// BENCH_PIPELINING (10), BENCH_ONLY (comma-separated contender names), BENCH_PATH.

import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { load, type LoadResult } from './autocannon.ts'
import { HELLO_BODY, HELLO_PATH } from './hello.ts'

const BASELINE = 'raw-node-http'
const BAR = 0.9
const seconds = positive('BENCH_SECONDS', 10)
const rounds = positive('BENCH_ROUNDS', 3)
const connections = positive('BENCH_CONNECTIONS', 100)
const pipelining = positive('BENCH_PIPELINING', 10)
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())

const serversDir = fileURLToPath(new URL('./servers/', import.meta.url))
const names = readdirSync(serversDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3))
  .filter((name) => name === BASELINE || only === undefined || only.includes(name))
  .sort((a, b) => (a === BASELINE ? -1 : b === BASELINE ? 1 : a.localeCompare(b)))
if (names[0] !== BASELINE) throw new Error(`bench/servers/${BASELINE}.ts is the baseline and must exist`)

interface Row {
  name: string
  rps: number
  p99: number
  bad: number
  /** Server CPU time (user + system) per request served, in microseconds. */
  cpuPerRequest: number
}

async function start(name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(`${serversDir}${name}.ts`, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [message] = (await once(child, 'message')) as [{ port: number }]
  return { child, url: `http://127.0.0.1:${message.port}${HELLO_PATH}` }
}

async function cpuMicros(child: ChildProcess): Promise<number> {
  const answer = once(child, 'message') as Promise<[{ cpuMicros: number }]>
  child.send('cpu')
  return (await answer)[0].cpuMicros
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit')
  child.disconnect()
  await exited
}

/** Every contender must answer the same 200 and body, or the comparison means nothing. */
async function check(name: string, url: string): Promise<void> {
  const response = await fetch(url)
  const body = await response.text()
  if (response.status !== 200 || body !== HELLO_BODY) {
    throw new Error(`${name} answered ${response.status} '${body}' instead of 200 '${HELLO_BODY}'`)
  }
}

async function measure(name: string): Promise<Row> {
  const { child, url } = await start(name)
  try {
    await check(name, url)
    // A short warm-up so the JIT has compiled the hot path before the measured run.
    await load({ url, connections, pipelining, duration: Math.min(2, seconds) })
    const cpuBefore = await cpuMicros(child)
    const result: LoadResult = await load({ url, connections, pipelining, duration: seconds })
    const cpu = (await cpuMicros(child)) - cpuBefore
    return {
      name,
      rps: result.requests.average,
      p99: result.latency.p99,
      bad: result.errors + result.timeouts + result.non2xx,
      cpuPerRequest: cpu / Math.max(1, result.requests.total),
    }
  } finally {
    await stop(child)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`)
  return value
}

const ratios = new Map<string, number[]>(names.slice(1).map((name) => [name, []]))
const cpuRatios = new Map<string, number[]>(names.slice(1).map((name) => [name, []]))
console.log(`${names.length} servers, ${rounds} rounds of ${seconds} s, ${connections} connections, pipelining ${pipelining}, GET ${HELLO_PATH}`)
for (let round = 1; round <= rounds; round++) {
  // Alternate the order each round so slow drift on a shared machine does not favour one side.
  const order = round % 2 === 1 ? names : [...names].reverse()
  const rows: Row[] = []
  for (const name of order) rows.push(await measure(name))
  const raw = rows.find((row) => row.name === BASELINE)!
  console.log(`\nround ${round}`)
  for (const row of rows.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name))) {
    const ratio = row.rps / raw.rps
    // Raw's CPU per request over this one's: the share of raw's efficiency it keeps.
    const cpuRatio = raw.cpuPerRequest / row.cpuPerRequest
    if (row.name !== BASELINE) {
      ratios.get(row.name)!.push(ratio)
      cpuRatios.get(row.name)!.push(cpuRatio)
    }
    const bad = row.bad > 0 ? `  ${row.bad} errors/non-2xx` : ''
    console.log(
      `  ${row.name.padEnd(22)} ${row.rps.toFixed(0).padStart(8)} req/s  p99 ${String(row.p99).padStart(4)} ms  ratio ${ratio.toFixed(3)}` +
        `   cpu ${row.cpuPerRequest.toFixed(1).padStart(6)} µs/req  cpu ratio ${cpuRatio.toFixed(3)}${bad}`,
    )
  }
}
console.log('\nmedian ratio to raw node:http (req/s; the bar applies to this one)')
for (const [name, list] of ratios) {
  const value = median(list)
  console.log(`  ${name.padEnd(22)} ${value.toFixed(3)}  ${value >= BAR ? 'meets' : 'BELOW'} the ${BAR} bar  (rounds: ${list.map((r) => r.toFixed(3)).join(', ')})`)
}
console.log('median CPU-efficiency ratio (raw µs/req over the contender\'s; steadier on a busy machine)')
for (const [name, list] of cpuRatios) {
  console.log(`  ${name.padEnd(22)} ${median(list).toFixed(3)}  (rounds: ${list.map((r) => r.toFixed(3)).join(', ')})`)
}
