// `npm run bench`: for each suite in bench/suites/, every server in its servers/ folder against
// the suite's baseline, each server in its own child process so the load generator (here, in
// the parent) never shares an event loop with it. Absolute req/s depend on the machine and on
// what else runs on it; the ratio to the baseline, measured in the same round, is the figure
// that travels. Within a round every server is up at once and takes its load in short slices,
// in turn (the order reversed each slice): on a shared machine whose speed drifts by a third
// from one minute to the next, servers measured a minute apart were compared across that
// drift, while slices a second apart share it.
//
// Env: BENCH_SUITE (comma-separated suite names; default all), BENCH_SECONDS (load per server
// per round, default 10), BENCH_SLICE_SECONDS (1), BENCH_WARMUP_SECONDS (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS and
// BENCH_PIPELINING (override the suite's), BENCH_ONLY (comma-separated server names besides
// the baseline), BENCH_PATH (hello suite), BENCH_NODE_FLAGS (space-separated node flags given
// to every server alike, as in `--no-incremental-marking`; see bench/README.md).

import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { load, type LoadOptions, type LoadResult } from './autocannon.ts'
import type { Workload } from './workload.ts'

const seconds = positive('BENCH_SECONDS', 10)
const sliceSeconds = Math.min(seconds, positive('BENCH_SLICE_SECONDS', 1))
const warmupSeconds = positive('BENCH_WARMUP_SECONDS', 5)
const rounds = positive('BENCH_ROUNDS', 3)
const only = list('BENCH_ONLY')
// Every server process gets the same flags, so a comparison stays pair for pair.
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '')
const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url))
const suites = readdirSync(suitesDir)
  .filter((name) => list('BENCH_SUITE')?.includes(name) ?? true)
  .sort()

interface Row {
  name: string
  rps: number
  p99: number
  bad: number
  /** Server CPU time (user + system) per request served, in microseconds. */
  cpuPerRequest: number
}

function list(name: string): string[] | undefined {
  return process.env[name]?.split(',').map((s) => s.trim())
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`)
  return value
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function start(file: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = fork(file, { execArgv: [...nodeFlags, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [message] = (await once(child, 'message')) as [{ port: number }]
  return { child, origin: `http://127.0.0.1:${message.port}` }
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

/** A server up and warmed, with the load the suite sends it. */
interface Opened {
  name: string
  child: ChildProcess
  shape: Omit<LoadOptions, 'duration'>
  load: (options: LoadOptions) => Promise<LoadResult>
}

async function open(suite: string, workload: Workload, name: string): Promise<Opened> {
  const { child, origin } = await start(`${suitesDir}${suite}/servers/${name}.ts`)
  try {
    const target = await workload.prepare(name, origin)
    const shape = {
      ...target,
      connections: positive('BENCH_CONNECTIONS', workload.connections),
      pipelining: positive('BENCH_PIPELINING', workload.pipelining),
    }
    // Steady state is what a server lives in: a fresh process under this load still gets faster
    // for some seconds while the JIT compiles and inlines the hot path (longer for a deeper one,
    // such as tsgi under a host's router), so nothing is measured before it settled.
    const generator = workload.load ?? load
    await generator({ ...shape, duration: warmupSeconds })
    return { name, child, shape, load: generator }
  } catch (error) {
    await stop(child)
    throw error
  }
}

/** What one server's slices of a round add up to. */
interface Tally {
  requests: number
  seconds: number
  cpuMicros: number
  /** Each slice's p99: their median is reported, since every slice opens with a burst of connections. */
  p99s: number[]
  bad: number
}

async function slice(server: Opened, duration: number, tally: Tally): Promise<void> {
  const cpuBefore = await cpuMicros(server.child)
  const result: LoadResult = await server.load({ ...server.shape, duration })
  tally.cpuMicros += (await cpuMicros(server.child)) - cpuBefore
  tally.requests += result.requests.total
  tally.seconds += result.duration
  tally.p99s.push(result.latency.p99)
  tally.bad += result.errors + result.timeouts + result.non2xx
}

/** One round: every server up at once, loaded in turn, slice by slice. */
async function measureRound(suite: string, workload: Workload, names: string[]): Promise<Row[]> {
  const servers: Opened[] = []
  try {
    for (const name of names) servers.push(await open(suite, workload, name))
    const tallies = new Map(servers.map((server) => [server, { requests: 0, seconds: 0, cpuMicros: 0, p99s: [] as number[], bad: 0 }]))
    const slices = Math.max(1, Math.round(seconds / sliceSeconds))
    for (let i = 0; i < slices; i++) {
      for (const server of i % 2 === 0 ? servers : [...servers].reverse()) await slice(server, seconds / slices, tallies.get(server)!)
    }
    return servers.map((server) => {
      const tally = tallies.get(server)!
      return {
        name: server.name,
        rps: tally.requests / tally.seconds,
        p99: Math.round(median(tally.p99s)),
        bad: tally.bad,
        cpuPerRequest: tally.cpuMicros / Math.max(1, tally.requests),
      }
    })
  } finally {
    await Promise.all(servers.map((server) => stop(server.child)))
  }
}

async function runSuite(suite: string): Promise<void> {
  const { workload } = (await import(`${suitesDir}${suite}/workload.ts`)) as { workload: Workload }
  const missing = workload.unavailable?.() ?? null
  if (missing !== null) {
    console.log(`\n== ${suite}: skipped: ${missing}`)
    return
  }
  // Each pair's and each control's own baseline; everyone else is compared with the suite's.
  const ownBaselines: Record<string, string> = { ...workload.pairs, ...workload.controls }
  const controls = new Set(Object.keys(workload.controls ?? {}))
  const names = readdirSync(`${suitesDir}${suite}/servers`)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .filter((name) => name === workload.baseline || only === undefined || only.includes(name) || Object.values(ownBaselines).includes(name))
    .sort((a, b) => (a === workload.baseline ? -1 : b === workload.baseline ? 1 : a.localeCompare(b)))
  if (names[0] !== workload.baseline)
    throw new Error(`bench/suites/${suite}/servers/${workload.baseline}.ts is the baseline and must exist`)
  const baselines = new Set([workload.baseline, ...Object.values(ownBaselines)])
  const baselineOf = (name: string): string => ownBaselines[name] ?? workload.baseline
  const contenders = names.filter((name) => !baselines.has(name))
  const ratios = new Map<string, number[]>(contenders.map((name) => [name, []]))
  const cpuRatios = new Map<string, number[]>(contenders.map((name) => [name, []]))
  // Each contender against the control that shares its baseline: the share of its ratio that
  // is its own, once the cost the control isolates is paid.
  const pastControl = new Map<string, { contender: string; control: string; values: number[] }>()
  // Only the controls this run started: BENCH_ONLY may have left some out.
  for (const control of contenders.filter((name) => controls.has(name)))
    for (const contender of contenders)
      if (!controls.has(contender) && baselineOf(contender) === baselineOf(control))
        pastControl.set(`${contender} vs ${control}`, { contender, control, values: [] })
  console.log(
    `\n== ${suite}: ${workload.title}; ${names.length} servers${nodeFlags.length > 0 ? ` (node ${nodeFlags.join(' ')})` : ''}, ${rounds} rounds of ${seconds} s each, in slices of ${seconds / Math.max(1, Math.round(seconds / sliceSeconds))} s`,
  )
  for (let round = 1; round <= rounds; round++) {
    // Alternate the start order each round too, so no server always warms up first.
    const rows = await measureRound(suite, workload, round % 2 === 1 ? names : [...names].reverse())
    console.log(`round ${round}`)
    for (const row of rows.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name))) {
      const base = rows.find((other) => other.name === (baselines.has(row.name) ? row.name : baselineOf(row.name))) ?? row
      const ratio = row.rps / base.rps
      // The baseline's CPU per request over this one's: the share of its efficiency kept.
      const cpuRatio = base.cpuPerRequest / row.cpuPerRequest
      if (!baselines.has(row.name)) {
        ratios.get(row.name)!.push(ratio)
        cpuRatios.get(row.name)!.push(cpuRatio)
      }
      const bad = row.bad > 0 ? `  ${row.bad} errors/non-2xx` : ''
      console.log(
        `  ${row.name.padEnd(22)} ${row.rps.toFixed(0).padStart(8)} req/s  p99 ${String(row.p99).padStart(4)} ms  ratio ${ratio.toFixed(3)}` +
          `   cpu ${row.cpuPerRequest.toFixed(1).padStart(7)} µs/req  cpu ratio ${cpuRatio.toFixed(3)}${bad}`,
      )
    }
    const rpsOf = (name: string): number => rows.find((row) => row.name === name)!.rps
    for (const { contender, control, values } of pastControl.values()) values.push(rpsOf(contender) / rpsOf(control))
  }
  const each = Object.keys(ownBaselines).length === 0 ? workload.baseline : 'each baseline'
  console.log(`median ratio to ${each} (req/s; the bar applies to this one)`)
  for (const [name, values] of ratios) {
    const value = median(values)
    const verdict = controls.has(name)
      ? 'a control, held to no bar'
      : workload.bar === 0
        ? 'held to no bar'
        : `${value >= workload.bar ? 'meets' : 'BELOW'} the ${workload.bar} bar`
    const against = ownBaselines[name] === undefined ? '' : ` vs ${ownBaselines[name]}`
    console.log(`  ${(name + against).padEnd(34)} ${value.toFixed(3)}  ${verdict}  (rounds: ${values.map((r) => r.toFixed(3)).join(', ')})`)
  }
  console.log("median CPU-efficiency ratio (the baseline's µs/req over the contender's; steadier on a busy machine)")
  for (const [name, values] of cpuRatios) {
    const against = ownBaselines[name] === undefined ? '' : ` vs ${ownBaselines[name]}`
    console.log(`  ${(name + against).padEnd(34)} ${median(values).toFixed(3)}  (rounds: ${values.map((r) => r.toFixed(3)).join(', ')})`)
  }
  if (pastControl.size > 0) console.log("median ratio to the control on the same baseline (req/s; the share that is not the control's)")
  for (const [label, { values }] of pastControl) {
    console.log(`  ${label.padEnd(34)} ${median(values).toFixed(3)}  (rounds: ${values.map((r) => r.toFixed(3)).join(', ')})`)
  }
  if (workload.report !== undefined) for (const line of await workload.report()) console.log(line)
}

for (const suite of suites) await runSuite(suite)
