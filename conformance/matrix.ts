// npm run conformance:matrix [-- --update-expected]
// Runs every scenario on every server the CLI knows (select.ts) and writes conformance/MATRIX.md:
// scenario x server, with a footnote for each peer failure saying what the peer does instead
// (differences.ts) and for each skip saying why, and the short comparison in README.md
// (summary.ts). Exits 1 if tsgi (or any other non-peer driver) fails anything or a peer
// failure is unexplained. --update-expected also records the verdicts of the peers and of the
// embeddings in conformance/expected/.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { behaviours, differences } from './differences.ts'
import { python } from './drivers/servers.ts'
import { compareToExpected, readExpected, writeExpected } from './expected.ts'
import { counts } from './runner/report.ts'
import { runSuite, type ScenarioResult } from './runner/run.ts'
import { scenarios } from './scenarios/index.ts'
import { driverFor, embeddings, serverNames } from './select.ts'
import { isPeer, readmeFile, writeSummary } from './summary.ts'

const servers: readonly string[] = serverNames
const peers = servers.filter(isPeer)
/** In process, sharing the global lifecycle channel: they run one after the other, in one lane. */
const inProcess: readonly string[] = ['tsgi', ...Object.keys(embeddings)]
/** Servers whose verdicts are committed in conformance/expected/ and held by npm test. */
const recorded: readonly string[] = [...peers, ...Object.keys(embeddings)]
const matrixFile = fileURLToPath(new URL('./MATRIX.md', import.meta.url))
const require = createRequire(import.meta.url)

function pythonVersions(): string {
  try {
    return execFileSync(
      python,
      [
        '-c',
        'from importlib.metadata import version as v; print(", ".join(f"{p} {v(p)}" for p in ("uvicorn", "hypercorn", "daphne", "starlette")))',
      ],
      { encoding: 'utf8' },
    ).trim()
  } catch {
    return 'versions unknown'
  }
}

function nodeVersions(): string {
  const names = ['fastify', 'close-with-grace', 'express', '@godaddy/terminus', 'hono', '@hono/node-server']
  return names
    .map((name) => {
      const version = installedVersion(name)
      return version === null ? `${name} (version unknown)` : `${name} ${version}`
    })
    .join(', ')
}

/**
 * The version of an installed package. Hono and @hono/node-server export no `./package.json`,
 * so the manifest is found by walking up from the package's resolved entry to the nearest
 * package.json that names it.
 */
function installedVersion(name: string): string | null {
  let dir: string
  try {
    dir = dirname(require.resolve(name))
  } catch {
    return null
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    if (manifest.name === name && typeof manifest.version === 'string') return manifest.version
  }
  return null
}

class Footnotes {
  readonly #ids = new Map<string, string>()
  constructor(readonly prefix: string) {}
  ref(text: string): string {
    let id = this.#ids.get(text)
    if (id === undefined) {
      id = `${this.prefix}${this.#ids.size + 1}`
      this.#ids.set(text, id)
    }
    return `[^${id}]`
  }
  render(): string[] {
    return [...this.#ids].map(([text, id]) => `[^${id}]: ${text}`)
  }
}

function cell(server: string, result: ScenarioResult, failures: Footnotes, skips: Footnotes, unexplained: string[]): string {
  if (result.result === 'passed') return 'pass'
  if (result.result === 'skipped' || result.result === 'not-applicable') return `skip${skips.ref(result.why)}`
  const behaviour = isPeer(server) ? differences[server][result.id] : undefined
  if (behaviour === undefined) {
    unexplained.push(`${server} fails ${result.id}: ${result.why}`)
    return `**FAIL**${failures.ref(`Unexplained (${server}): ${result.why.replace(/\|/g, '\\|')}`)}`
  }
  return `**FAIL**${failures.ref(behaviours[behaviour])}`
}

function render(results: Record<string, ScenarioResult[]>, unexplained: string[]): string {
  const failures = new Footnotes('')
  const skips = new Footnotes('s')
  const header = ['id', 'scenario', ...servers]
  const rows = scenarios.map((scenario, index) => {
    const cells = servers.map((server) => cell(server, results[server]![index]!, failures, skips, unexplained))
    return [scenario.id, scenario.title.replace(/\|/g, '\\|'), ...cells]
  })
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  const summary = servers.map((server) => {
    const { passed, failed, skipped } = counts(results[server]!)
    return line([server, String(passed), String(failed), String(skipped)])
  })
  return [
    '# Conformance matrix',
    '',
    'Written by `npm run conformance:matrix`; do not edit by hand. Each scenario is described in',
    '`conformance/scenarios/` (its source is listed by `npm run conformance -- --list`).',
    '',
    `Servers: **tsgi** in process (LifespanManager for P and C, serve() for S, toNodeHandler() for H, a process for X); **tsgi-process**, serve() as a child process; **tsgi-express**, **tsgi-fastify** and **tsgi-hono**, the scenario app embedded in Express 5 (toExpress), Fastify 5 (tsgiPlugin) and Hono 4 under @hono/node-server (toHono), in process, its lifespan driven through the adapter; **uvicorn**, **hypercorn** and **daphne** running \`conformance/peers/python/scenario_app.py\` with Starlette routing (${pythonVersions()}, Debian packages); **fastify**, **express-terminus** and **hono-node** running their own scenario apps in \`conformance/peers/node/\`, each written from its framework's documentation (${nodeVersions()}).`,
    '',
    line(['server', 'passed', 'failed', 'skipped']),
    line(['---', '---:', '---:', '---:']),
    ...summary,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    '## What the peers do instead',
    '',
    ...failures.render(),
    '',
    '## Why scenarios were skipped',
    '',
    ...skips.render(),
    '',
  ].join('\n')
}

/**
 * Two lanes: the in-process drivers one after the other (the lifecycle channel is global), the
 * process servers beside them; each runs two scenarios at once, which keeps 2 cores busy.
 */
async function runAll(): Promise<Record<string, ScenarioResult[]>> {
  const results: Record<string, ScenarioResult[]> = {}
  const lanes = [servers.filter((s) => inProcess.includes(s)), servers.filter((s) => !inProcess.includes(s))]
  const worker = async (queue: string[]): Promise<void> => {
    for (let server = queue.shift(); server !== undefined; server = queue.shift()) {
      const started = performance.now()
      const result = await runSuite(scenarios, driverFor(server))
      results[server] = result
      const { passed, failed, skipped } = counts(result)
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      console.log(`${server}: ${passed} passed, ${failed} failed, ${skipped} skipped (${seconds} s)`)
    }
  }
  await Promise.all(lanes.map(worker))
  return results
}

/**
 * A peer verdict that moved from the committed one is run again, alone, and the second result
 * stands: on a loaded machine a timing window can be missed once, and that must not be recorded.
 */
async function confirmMoves(results: Record<string, ScenarioResult[]>): Promise<void> {
  for (const peer of peers) {
    const expected = readExpected(peer).results
    const confirmed: ScenarioResult[] = []
    for (const result of results[peer]!) {
      const was = expected[result.id]
      if (was === undefined || was === result.result) {
        confirmed.push(result)
        continue
      }
      const [again] = await runSuite(
        scenarios.filter((s) => s.id === result.id),
        driverFor(peer),
      )
      console.log(`${peer} ${result.id}: ${result.result} where ${was} was expected; run again alone: ${again!.result}`)
      confirmed.push(again!)
    }
    results[peer] = confirmed
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'update-expected': { type: 'boolean' } } })
  const results = await runAll()
  await confirmMoves(results)
  const unexplained: string[] = []
  writeFileSync(matrixFile, render(results, unexplained))
  console.log('wrote conformance/MATRIX.md')
  for (const peer of recorded) {
    if (values['update-expected'] === true) {
      writeExpected(peer, results[peer]!)
      console.log(`wrote conformance/expected/${peer}.json`)
    } else {
      for (const moved of compareToExpected(readExpected(peer), results[peer]!)) console.log(`${peer}: ${moved}`)
    }
  }
  // From the committed verdicts, so the README says what npm test holds the peers to.
  writeSummary(servers)
  console.log('wrote the comparison in README.md')
  // Aligned the way `npm test` (biome ci) wants both files.
  execFileSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', matrixFile, readmeFile], {
    stdio: 'inherit',
  })
  for (const problem of unexplained) console.error(problem)
  return unexplained.length > 0 ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 2
  },
)
