// npm run conformance:matrix [-- --update-expected]
// Runs every scenario on every server and writes conformance/MATRIX.md: scenario x server,
// with a footnote for each peer failure saying what the peer does instead (differences.ts)
// and for each skip saying why. Exits 1 if tsgi (served or embedded) fails anything or a peer
// failure is unexplained.
// --update-expected also records the verdicts of the peers and the embeddings in conformance/expected/.

import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { behaviours, differences, type Peer } from './differences.ts'
import { compareToExpected, readExpected, writeExpected } from './expected.ts'
import { python } from './drivers/servers.ts'
import { counts } from './runner/report.ts'
import { runSuite, type ScenarioResult } from './runner/run.ts'
import { scenarios } from './scenarios/index.ts'
import { driverFor } from './select.ts'

const embeddings = ['tsgi-express', 'tsgi-fastify', 'tsgi-hono'] as const
const servers = ['tsgi', 'tsgi-process', ...embeddings, 'uvicorn', 'hypercorn'] as const
type Server = (typeof servers)[number]
const peers: Peer[] = ['uvicorn', 'hypercorn']
/** Servers whose verdicts are committed in conformance/expected/ and held by npm test. */
const recorded = [...peers, ...embeddings] as const

function peerVersions(): string {
  try {
    return execFileSync(
      python,
      ['-c', 'from importlib.metadata import version as v; print(", ".join(f"{p} {v(p)}" for p in ("uvicorn", "hypercorn", "starlette")))'],
      { encoding: 'utf8' },
    ).trim()
  } catch {
    return 'versions unknown'
  }
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

function cell(server: Server, result: ScenarioResult, failures: Footnotes, skips: Footnotes, unexplained: string[]): string {
  if (result.result === 'passed') return 'pass'
  if (result.result === 'skipped') return `skip${skips.ref(result.why)}`
  const behaviour = (peers as string[]).includes(server) ? differences[server as Peer][result.id] : undefined
  if (behaviour === undefined) {
    unexplained.push(`${server} fails ${result.id}: ${result.why}`)
    return `**FAIL**${failures.ref(`Unexplained (${server}): ${result.why.replace(/\|/g, '\\|')}`)}`
  }
  return `**FAIL**${failures.ref(behaviours[behaviour])}`
}

function render(results: Record<Server, ScenarioResult[]>, versions: string, unexplained: string[]): string {
  const failures = new Footnotes('')
  const skips = new Footnotes('s')
  const header = ['id', 'scenario', ...servers]
  const rows = scenarios.map((scenario, index) => {
    const cells = servers.map((server) => cell(server, results[server][index]!, failures, skips, unexplained))
    return [scenario.id, scenario.title.replace(/\|/g, '\\|'), ...cells]
  })
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  const summary = servers.map((server) => {
    const { passed, failed, skipped } = counts(results[server])
    return line([server, String(passed), String(failed), String(skipped)])
  })
  return [
    '# Conformance matrix',
    '',
    'Written by `npm run conformance:matrix`; do not edit by hand. Each scenario is described in',
    '`conformance/scenarios/` (its source is listed by `npm run conformance -- --list`).',
    '',
    `Servers: **tsgi** in process (LifespanManager for P and C, serve() for S, toNodeHandler() for H, a process for X); **tsgi-process**, serve() as a child process; **tsgi-express**, **tsgi-fastify** and **tsgi-hono**, the scenario app embedded in Express 5 (toExpress), Fastify 5 (tsgiPlugin) and Hono 4 under @hono/node-server (toHono), in process, its lifespan driven through the adapter; **uvicorn** and **hypercorn** running \`conformance/peers/python/scenario_app.py\` with Starlette routing (${versions}, Debian packages).`,
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

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'update-expected': { type: 'boolean' } } })
  const results = {} as Record<Server, ScenarioResult[]>
  // Two servers at a time: each runs two scenarios at once, which keeps 2 cores busy, not swamped.
  for (const pair of [
    ['tsgi', 'uvicorn'],
    ['tsgi-process', 'hypercorn'],
  ] as const) {
    await Promise.all(
      pair.map(async (server) => {
        const started = performance.now()
        results[server] = await runSuite(scenarios, driverFor(server))
        const { passed, failed, skipped } = counts(results[server])
        console.log(
          `${server}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((performance.now() - started) / 1000).toFixed(1)} s)`,
        )
      }),
    )
  }
  // In process like `tsgi`, and the lifecycle channel is global: one embedding at a time, alone.
  for (const server of embeddings) {
    const started = performance.now()
    results[server] = await runSuite(scenarios, driverFor(server))
    const { passed, failed, skipped } = counts(results[server])
    console.log(
      `${server}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    )
  }
  const unexplained: string[] = []
  writeFileSync(fileURLToPath(new URL('./MATRIX.md', import.meta.url)), render(results, peerVersions(), unexplained))
  console.log('wrote conformance/MATRIX.md')
  for (const peer of recorded) {
    if (values['update-expected'] === true) {
      writeExpected(peer, results[peer])
      console.log(`wrote conformance/expected/${peer}.json`)
    } else {
      for (const moved of compareToExpected(readExpected(peer), results[peer])) console.log(`${peer}: ${moved}`)
    }
  }
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
