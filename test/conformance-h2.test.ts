// The H scenarios over HTTP/2: the runner's client speaks h2 over real TLS (a throwaway
// certificate it trusts as its only CA) to tsgi in process (serve() with tls and http2), to the
// scenario app as a child process, and to hypercorn; tsgi in process also over h2c. The three
// targets run at once (two are child processes), so the file takes about as long as hypercorn.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { behaviours } from '../conformance/differences.ts'
import { python } from '../conformance/drivers/servers.ts'
import { http2Differences, http2Expected, http2Notes } from '../conformance/http2-peers.ts'
import { notApplicable, overTransport } from '../conformance/runner/over-http2.ts'
import { checkHttp } from '../conformance/runner/expect.ts'
import { counts } from '../conformance/runner/report.ts'
import { runSuite, type ScenarioResult } from '../conformance/runner/run.ts'
import { parseTransport, type Transport, TransportError } from '../conformance/runner/transport.ts'
import { scenarios } from '../conformance/scenarios/index.ts'
import { driverFor, pickDriver, UsageError } from '../conformance/select.ts'
import { makeCertificate } from './support/certificate.ts'

const certificate = makeCertificate()
const h2 = parseTransport({ transport: 'h2', tlsKey: certificate.keyFile, tlsCert: certificate.certFile })
const h2c: Transport = { name: 'h2c' }
const bridge = scenarios.filter((s) => s.level === 'H')

const hypercornMissing = (() => {
  const probe = spawnSync(python, ['-c', 'import hypercorn, h2, starlette'], { encoding: 'utf8' })
  return probe.status === 0
    ? null
    : `${python} cannot import hypercorn, h2 and starlette (apt-get install python3-hypercorn python3-starlette)`
})()
// In CI the packages are installed by .ci/run, so their absence is a failure there.
const hypercornSkip = hypercornMissing !== null && process.env.CI === undefined ? hypercornMissing : false

const line = (results: ScenarioResult[]): string => {
  const { passed, failed, skipped, notApplicable } = counts(results)
  return `${passed} passed, ${failed} failed, ${skipped} skipped, ${notApplicable} not applicable`
}
const failures = (results: ScenarioResult[]): string[] => results.filter((r) => r.result !== 'passed').map((r) => `${r.id}: ${r.why}`)

// Started together: the in-process runs share the event loop with two child-process runs.
const runs = {
  tsgi: runSuite(bridge, driverFor('tsgi', h2)),
  'tsgi over h2c': runSuite(bridge, driverFor('tsgi', h2c)),
  'tsgi-process': runSuite(bridge, driverFor('tsgi-process', h2)),
  hypercorn: hypercornMissing === null ? confirmed(driverFor('hypercorn', h2), http2Expected.hypercorn) : null,
}

/**
 * As in conformance-peers.test.ts: on a loaded machine a peer can miss a timing window once
 * (hypercorn's http.disconnect within 2 s), so a verdict that moved is run again, alone, and
 * only a second move counts.
 */
async function confirmed(driver: ReturnType<typeof driverFor>, expected: Record<string, string>): Promise<ScenarioResult[]> {
  const results = await runSuite(bridge, driver)
  return Promise.all(
    results.map(async (result) => {
      if (expected[result.id] === result.result) return result
      const [again] = await runSuite([bridge.find((s) => s.id === result.id)!], driver)
      return { ...again!, why: `${again!.why} (the first run gave ${result.result}: ${result.why})` }
    }),
  )
}

/**
 * A server bug this suite found, held as a to-do so it stays in every run's output: serve()
 * answers H8's 413 and then resets the stream with NO_ERROR before the answer's END_STREAM
 * (`endStreamAfterAnswer()` in src/node/http2-exchange.ts: node sends the RST at the write's
 * 'finish', ahead of the empty DATA frame that ends the stream). RFC 9113 §8.1 allows that
 * reset only after a complete response; nghttp reports the request as not processed.
 */
const knownServerBugs: Record<string, string> = {
  H8: 'serve() resets the 413 stream with RST_STREAM NO_ERROR before its END_STREAM (src/node/http2-exchange.ts endStreamAfterAnswer)',
}

for (const target of ['tsgi', 'tsgi over h2c', 'tsgi-process'] as const) {
  test(`every H scenario passes over HTTP/2 for ${target}`, async (t) => {
    const results = await runs[target]
    t.diagnostic(line(results))
    for (const failure of failures(results)) t.diagnostic(failure)
    assert.equal(results.length, 16)
    assert.deepEqual(
      failures(results).filter((failure) => !(failure.split(':')[0]! in knownServerBugs)),
      [],
    )
  })
  for (const [id, bug] of Object.entries(knownServerBugs)) {
    test(`${id} passes over HTTP/2 for ${target}`, { todo: bug }, async () => {
      const result = (await runs[target]).find((r) => r.id === id)!
      assert.equal(result.result, 'passed', result.why)
    })
  }
}

test('hypercorn over HTTP/2 (TLS, ALPN h2) gives its expected H verdicts, each failure explained', { skip: hypercornSkip }, async (t) => {
  assert.equal(hypercornMissing, null, hypercornMissing ?? '')
  const results = await runs.hypercorn!
  t.diagnostic(line(results))
  for (const result of results) if (result.result !== 'passed') t.diagnostic(`${result.id} ${result.result}: ${result.why}`)
  assert.deepEqual(Object.fromEntries(results.map((r) => [r.id, r.result])), http2Expected.hypercorn)
  for (const [id, verdict] of Object.entries(http2Expected.hypercorn)) {
    if (verdict !== 'failed') continue
    const why = http2Differences.hypercorn[id]
    assert.ok(why !== undefined && why in behaviours, `${id} fails over HTTP/2 without a footnote`)
  }
  for (const why of Object.values(http2Differences.hypercorn)) assert.ok(why in behaviours || why in http2Notes, why)
})

test('the transport switch refuses an unknown name, h2 without a certificate, and a server it cannot run over h2', () => {
  assert.throws(
    () => parseTransport({ transport: 'h3' }),
    (e: unknown) => e instanceof TransportError && /unknown transport 'h3'/.test(e.message),
  )
  assert.throws(() => parseTransport({ transport: 'h2' }), /needs --tls-key and --tls-cert/)
  assert.throws(() => parseTransport({ transport: 'h2c', tlsKey: certificate.keyFile }), /go with --transport h2, not h2c/)
  assert.throws(
    () => parseTransport({ transport: 'h2', tlsKey: 'missing.pem', tlsCert: certificate.certFile }),
    /--tls-key: cannot read 'missing.pem'/,
  )
  assert.throws(
    () => pickDriver({ server: 'tsgi', transport: 'spdy' }),
    (e: unknown) => e instanceof UsageError && /spdy/.test(e.message),
  )
  assert.throws(() => pickDriver({ server: 'uvicorn', transport: 'h2c' }), /runs uvicorn over HTTP\/1\.1 only/)
  assert.throws(() => pickDriver({ server: 'tsgi-express', transport: 'h2c' }), /runs tsgi-express over HTTP\/1\.1 only/)
  assert.equal(pickDriver({ server: 'tsgi' }).transport?.name ?? 'h1', 'h1')
  assert.equal(pickDriver({ command: 'true', transport: 'h2c' }).transport?.name, 'h2c')
})

test('over HTTP/2, scenarios that are HTTP/1.1 by nature are not applicable, with the reason; every H scenario applies', () => {
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  for (const scenario of bridge) assert.equal(notApplicable(scenario, h2), null, scenario.id)
  for (const scenario of scenarios) assert.equal(notApplicable(scenario, { name: 'h1' }), null, scenario.id)
  const reasons = scenarios.flatMap((s) => {
    const why = notApplicable(s, h2c)
    return why === null ? [] : [[s.id, why] as const]
  })
  assert.ok(reasons.every(([, why]) => why.startsWith('not applicable over HTTP/2: ')))
  const why = new Map(reasons)
  assert.match(why.get(scenarios.find((s) => s.level === 'W')!.id)!, /RFC 8441/)
  const idle = scenarios.find((s) => s.actions.some((a) => a.do === 'idle-connection'))!
  assert.match(why.get(idle.id)!, /keep-alive connection/)
  const closeHeader = scenarios.find((s) => JSON.stringify(s).includes('"connection":'))
  if (closeHeader !== undefined) assert.match(why.get(closeHeader.id)!, /Connection header/)
  assert.match(why.get(byId.get('P1')!.id)!, /sends no HTTP request/)
})

test('over HTTP/2 an echoed scope must say httpVersion 2 and its scheme: an HTTP/1.1 scope fails H11', () => {
  const h11 = structuredClone(scenarios.find((s) => s.id === 'H11')!)
  const request = overTransport(h11, h2).actions.find((a) => a.do === 'request')!
  assert.equal(request.do, 'request')
  const expect = request.do === 'request' ? request.expect : undefined
  const answer = (httpVersion: string, scheme: string) => ({
    ok: true as const,
    status: 200,
    headers: [],
    body: JSON.stringify({ path: '/p', queryString: 'x=1&y=2', httpVersion, scheme }),
  })
  assert.deepEqual(checkHttp(expect, answer('2', 'https'), 'GET'), [])
  assert.deepEqual(checkHttp(expect, answer('1.1', 'https'), 'GET'), ['GET json.httpVersion is "1.1", expected "2"'])
  assert.deepEqual(checkHttp(expect, answer('2', 'http'), 'GET'), ['GET json.scheme is "http", expected "https"'])
})

test('the CLI refuses an unknown transport with exit code 2, and counts not-applicable scenarios in its last line', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'conformance/cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 })
  const refused = cli('--server', 'tsgi', '--transport', 'h3')
  assert.equal(refused.status, 2)
  assert.match(refused.stderr, /--transport: unknown transport 'h3' \(known: h1, h2, h2c\)/)
  const websockets = cli('--server', 'tsgi', '--level', 'W', '--transport', 'h2c')
  assert.equal(websockets.status, 0, websockets.stderr)
  const count = scenarios.filter((s) => s.level === 'W').length
  assert.match(websockets.stdout, /^server: tsgi over HTTP\/2 cleartext \(h2c\)/)
  assert.match(websockets.stdout, new RegExp(`\\n0 passed, 0 failed, 0 skipped, ${count} not applicable\\n?$`))
  assert.match(websockets.stdout, /NOT-APPLICABLE +not applicable over HTTP\/2: websockets over HTTP\/2 \(RFC 8441/)
})
