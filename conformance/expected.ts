// The committed verdicts of each peer (conformance/expected/<server>.json): what uvicorn and
// hypercorn do today. Tests compare a fresh run to them, so a change on either side shows up.

import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ScenarioResult, Verdict } from './runner/run.ts'

export interface ExpectedResults {
  server: string
  /** Scenario id to verdict, in catalogue order. */
  results: Record<string, Verdict>
}

export function expectedFile(server: string): string {
  return fileURLToPath(new URL(`./expected/${server}.json`, import.meta.url))
}

export function readExpected(server: string): ExpectedResults {
  return JSON.parse(readFileSync(expectedFile(server), 'utf8')) as ExpectedResults
}

export function verdicts(results: ScenarioResult[]): Record<string, Verdict> {
  return Object.fromEntries(results.map((r) => [r.id, r.result]))
}

export function writeExpected(server: string, results: ScenarioResult[]): void {
  const data: ExpectedResults = { server, results: verdicts(results) }
  writeFileSync(expectedFile(server), JSON.stringify(data, null, 2) + '\n')
}

/** Sentences for every scenario whose verdict moved, with the run's reason. */
export function compareToExpected(expected: ExpectedResults, results: ScenarioResult[]): string[] {
  const moved: string[] = []
  const seen = new Set<string>()
  for (const result of results) {
    seen.add(result.id)
    const was = expected.results[result.id]
    if (was === undefined)
      moved.push(`${result.id} is new (now ${result.result}): record it with npm run conformance:matrix -- --update-expected`)
    else if (was !== result.result) moved.push(`${result.id} was ${was}, now ${result.result}${result.why === '' ? '' : `: ${result.why}`}`)
  }
  for (const id of Object.keys(expected.results)) if (!seen.has(id)) moved.push(`${id} is expected but was not run`)
  return moved
}
