// The README's short comparison: one line per server with its passed / failed / skipped counts
// and the differences that explain most of its failures. Computed from the committed verdicts
// (conformance/expected/), so a test can hold the README to them without running a server:
// `npm run conformance:matrix` writes it between the markers, after recording the verdicts.

import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { behaviours, type Behaviour, differences, type Peer } from './differences.ts'
import { readExpected } from './expected.ts'
import { headlines, incidental } from './headlines.ts'
import { requirementsOf } from './runner/requirements.ts'
import type { Verdict } from './runner/run.ts'
import { scenarios } from './scenarios/index.ts'
import { driverFor } from './select.ts'

export const summaryStart = '<!-- conformance-summary:start -->'
export const summaryEnd = '<!-- conformance-summary:end -->'
export const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url))

/** How many differences a server's line names. */
const shown = 3

export function isPeer(server: string): server is Peer {
  return Object.hasOwn(differences, server)
}

/**
 * A server's verdicts: a peer's committed ones; for tsgi and its other drivers, skipped where
 * the driver says it cannot run a scenario and passed everywhere else (the matrix fails when
 * one of them fails anything, so a green matrix makes this true).
 */
export function committedVerdicts(server: string): Record<string, Verdict> {
  if (isPeer(server)) return readExpected(server).results
  const driver = driverFor(server)
  return Object.fromEntries(
    scenarios.map((scenario) => [scenario.id, driver.unsupported(scenario, requirementsOf(scenario)) === null ? 'passed' : 'skipped']),
  )
}

/**
 * The behaviours behind a peer's failures, the most frequent first (ties: catalogue order),
 * the incidental ones (headlines.ts) after all the others.
 */
export function mostTelling(peer: Peer, verdicts: Record<string, Verdict>): Array<{ behaviour: Behaviour; scenarios: number }> {
  const count = new Map<Behaviour, number>()
  for (const [id, verdict] of Object.entries(verdicts)) {
    const behaviour = differences[peer][id]
    if (verdict === 'failed' && behaviour !== undefined) count.set(behaviour, (count.get(behaviour) ?? 0) + 1)
  }
  const order = Object.keys(behaviours)
  return [...count]
    .sort(([a, m], [b, n]) => Number(incidental.has(a)) - Number(incidental.has(b)) || n - m || order.indexOf(a) - order.indexOf(b))
    .map(([behaviour, scenarios]) => ({ behaviour, scenarios }))
}

function line(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

export function renderSummary(servers: readonly string[]): string {
  const rows = servers.map((server) => {
    const verdicts = committedVerdicts(server)
    const tally = (verdict: Verdict): string => String(Object.values(verdicts).filter((v) => v === verdict).length)
    const telling = isPeer(server)
      ? mostTelling(server, verdicts)
          .slice(0, shown)
          .map(({ behaviour, scenarios }) => `${headlines[behaviour]} (×${scenarios})`)
          .join('; ')
      : '— (the floor: every scenario it runs passes)'
    return line([`**${server}**`, tally('passed'), tally('failed'), tally('skipped'), telling])
  })
  return [
    summaryStart,
    '<!-- written by `npm run conformance:matrix` from conformance/expected/; do not edit by hand -->',
    '',
    line(['server', 'passed', 'failed', 'skipped', `the ${shown} differences behind most failures (scenarios)`]),
    line(['---', '---:', '---:', '---:', '---']),
    ...rows,
    '',
    summaryEnd,
  ].join('\n')
}

/**
 * A block with its table cells' padding taken out, so that a block the formatter (Biome)
 * aligned compares equal to the one rendered here.
 */
export function unpadded(block: string): string {
  return block
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/ {2,}/g, ' ').replace(/-{3,}/g, '---') : line))
    .join('\n')
}

/** The summary block of a README (markers included), or null. */
export function summaryOf(readme: string): string | null {
  const start = readme.indexOf(summaryStart)
  const end = readme.indexOf(summaryEnd)
  return start === -1 || end < start ? null : readme.slice(start, end + summaryEnd.length)
}

/** The README with its summary block replaced; the markers must be there, once each. */
export function withSummary(readme: string, summary: string): string {
  const start = readme.indexOf(summaryStart)
  const end = readme.indexOf(summaryEnd)
  if (start === -1 || end < start || readme.indexOf(summaryStart, start + 1) !== -1)
    throw new Error(`README.md must hold one '${summaryStart}' … '${summaryEnd}' block`)
  return readme.slice(0, start) + summary + readme.slice(end + summaryEnd.length)
}

export function writeSummary(servers: readonly string[]): void {
  writeFileSync(readmeFile, withSummary(readFileSync(readmeFile, 'utf8'), renderSummary(servers)))
}
