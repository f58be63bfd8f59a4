// The README's comparison of servers is generated, never written by hand: it must be what
// summary.ts renders from the committed verdicts in conformance/expected/, for every server
// the CLI knows.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { differences, type Peer } from '../conformance/differences.ts'
import { readExpected } from '../conformance/expected.ts'
import { incidental } from '../conformance/headlines.ts'
import { serverNames } from '../conformance/select.ts'
import {
  mostTelling,
  readmeFile,
  renderSummary,
  summaryEnd,
  summaryOf,
  summaryStart,
  unpadded,
  withSummary,
} from '../conformance/summary.ts'

test('the README comparison is up to date with the committed expectations', () => {
  const block = summaryOf(readFileSync(readmeFile, 'utf8'))
  assert.ok(block !== null, 'README.md has no comparison block')
  // The formatter aligns the table's columns; the cells must be the same.
  assert.equal(unpadded(block), unpadded(renderSummary(serverNames)), 'run npm run conformance:matrix to rewrite it')
})

test('padding added by the formatter does not count, a changed cell does', () => {
  const rendered = ['| a | b |', '| --- | ---: |', '| x | 1 |'].join('\n')
  assert.equal(unpadded(['| a   |   b |', '| --- | --: |'.replace('--:', '---:'), '| x   |   1 |'].join('\n')), rendered)
  assert.notEqual(unpadded('| x   |   2 |'), '| x | 1 |')
})

test('the comparison has one line per server, with counts that add up to the catalogue', () => {
  const summary = renderSummary(serverNames)
  for (const server of serverNames) {
    const row = summary.split('\n').find((line) => line.startsWith(`| **${server}** |`))
    assert.ok(row !== undefined, `no line for ${server}`)
    const [passed, failed, skipped] = row.split('|').slice(2, 5).map(Number)
    const total = Object.keys(readExpected('uvicorn').results).length
    assert.equal(passed! + failed! + skipped!, total, server)
  }
})

test("a peer's most telling differences are the behaviours behind most of its failures, incidental ones last", () => {
  for (const peer of Object.keys(differences) as Peer[]) {
    const ranked = mostTelling(peer, readExpected(peer).results)
    const telling = ranked.filter((r) => !incidental.has(r.behaviour))
    assert.deepEqual(ranked.slice(0, telling.length), telling, `${peer}: incidental behaviours come last`)
    const counts = telling.map((r) => r.scenarios)
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
      peer,
    )
    const failed = Object.values(readExpected(peer).results).filter((v) => v === 'failed').length
    assert.equal(
      ranked.reduce((sum, r) => sum + r.scenarios, 0),
      failed,
      `${peer}: every failure is counted once`,
    )
  }
})

test('a README without the markers is refused with a sentence naming them', () => {
  assert.throws(() => withSummary('# no block here\n', 'x'), { message: new RegExp(summaryStart) })
  assert.throws(() => withSummary(`${summaryEnd}\n${summaryStart}\n`, 'x'), { message: /must hold one/ })
  assert.equal(withSummary(`a\n${summaryStart}\nold\n${summaryEnd}\nb`, 'new'), 'a\nnew\nb')
})
