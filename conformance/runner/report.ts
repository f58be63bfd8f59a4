// Results as people and CI read them: a table, a last line of counts, JSON, JUnit XML.

import type { ScenarioResult } from './run.ts'

export function counts(results: ScenarioResult[]): { passed: number; failed: number; skipped: number; notApplicable: number } {
  const count = (verdict: ScenarioResult['result']): number => results.filter((r) => r.result === verdict).length
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notApplicable: count('not-applicable') }
}

/** Not-applicable scenarios exist only over HTTP/2; an HTTP/1.1 run's line stays as it was. */
export function summaryLine(results: ScenarioResult[]): string {
  const { passed, failed, skipped, notApplicable } = counts(results)
  return `${passed} passed, ${failed} failed, ${skipped} skipped${notApplicable === 0 ? '' : `, ${notApplicable} not applicable`}`
}

function cut(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`
}

/** One row per scenario: id, title, result, why, ms. `why` is cut to fit unless `wide`. */
export function table(results: ScenarioResult[], options: { wide?: boolean } = {}): string {
  const wide = options.wide === true
  // Wide reasons go last, unpadded, so the other columns stay aligned.
  const header = wide ? ['id', 'title', 'result', 'ms', 'why'] : ['id', 'title', 'result', 'why', 'ms']
  const rows = results.map((r) => {
    const cells = [r.id, cut(r.title, 60), r.result.toUpperCase()]
    return wide ? [...cells, String(r.ms), r.why.replace(/\s+/g, ' ')] : [...cells, cut(r.why, 100), String(r.ms)]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const msColumn = wide ? 3 : 4
  const render = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === msColumn ? cell.padStart(widths[i]!) : wide && i === 4 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [render(header), ...rows.map(render), '', summaryLine(results)].join('\n')
}

export function toJson(server: string, results: ScenarioResult[]): string {
  return JSON.stringify({ server, summary: counts(results), results }, null, 2)
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/** JUnit XML, one testsuite per server: skipped cases carry their reason, failed ones their sentences. */
export function toJunit(server: string, results: ScenarioResult[]): string {
  const { failed, skipped: unsupported, notApplicable } = counts(results)
  // JUnit has no "not applicable": such a case is skipped, with the reason as its message.
  const skipped = unsupported + notApplicable
  const seconds = (ms: number): string => (ms / 1000).toFixed(3)
  const total = results.reduce((sum, r) => sum + r.ms, 0)
  const cases = results.map((r) => {
    const open = `    <testcase classname="tsgi-conformance.${xml(server)}.${r.level}" name="${xml(`${r.id} ${r.title}`)}" time="${seconds(r.ms)}"`
    if (r.result === 'passed') return `${open}/>`
    const inner =
      r.result !== 'failed' ? `<skipped message="${xml(r.why)}"/>` : `<failure message="${xml(cut(r.why, 200))}">${xml(r.why)}</failure>`
    return `${open}>\n      ${inner}\n    </testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tsgi-conformance" tests="${results.length}" failures="${failed}" skipped="${skipped}" time="${seconds(total)}">`,
    `  <testsuite name="${xml(server)}" tests="${results.length}" failures="${failed}" skipped="${skipped}" time="${seconds(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
