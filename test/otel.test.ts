// tsgi/otel under the real OpenTelemetry Node SDK, run as users run it in ESM: the
// instrumentation loader hook registered first, then the user's telemetry file with the HTTP
// instrumentation and tsgi's, then the app (test/fixtures/otel/). The server spans carry the
// route tsgi matched; lifecycle steps become the histogram tsgi.lifecycle.step.duration.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { tsgiInstrumentation } from '../src/otel/instrumentation.ts'
import { joinRoute } from '../src/otel/route.ts'

const fixture = (name: string) => new URL(`./fixtures/otel/${name}`, import.meta.url).pathname

interface Recorded {
  httpLoadedByTsgiOtel: boolean
  statuses: number[]
  serverSpans: Array<{ name: string; route: string | null; target: string }>
  steps: Array<{ unit: string; attributes: Record<string, string>; count: number; sum: number }>
}

test('under the Node SDK in ESM, server spans are named and routed by the route tsgi matched, and lifecycle steps are measured', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', fixture('register.mjs'), '--import', 'tsx', '--import', fixture('telemetry.ts'), fixture('server.ts')],
    { timeout: 60_000 },
  )
  const recorded = JSON.parse(stdout.trim().split('\n').at(-1)!) as Recorded
  assert.equal(recorded.httpLoadedByTsgiOtel, false, 'importing tsgi/otel loaded node:http before the instrumentations were registered')
  assert.deepEqual(recorded.statuses, [200, 200, 200, 200, 200, 200, 404, 200])
  assert.deepEqual(
    recorded.serverSpans.map(({ name, route, target }) => [name, route, target]),
    [
      ['GET /api/items', '/api/items', '/api/items'],
      // The route as declared, parameters and all, not the path that matched it.
      ['GET /api/items/:id', '/api/items/:id', '/api/items/7'],
      ['POST /api/v2/orders', '/api/v2/orders', '/api/v2/orders'],
      ['DELETE /api/t/:tenant/jobs/:job', '/api/t/:tenant/jobs/:job', '/api/t/acme/jobs/42'],
      ['GET /mcp/*', '/mcp/*', '/mcp/sessions/42'],
      ['GET /health', '/health', '/health'],
      // No route matched: no route to tell.
      ['GET', null, '/nowhere'],
      // After disable(): the bridge no longer listens.
      ['GET', null, '/api/items'],
    ],
  )
  const steps = recorded.steps.map((point) => `${point.attributes.phase} ${point.attributes.step} ${point.attributes.outcome}`)
  assert.deepEqual(steps, [
    'starting app ok',
    'starting onStartup ok',
    'starting listen ok',
    'draining drain ok',
    'stopping app-shutdown ok',
  ])
  for (const point of recorded.steps) {
    assert.equal(point.unit, 's')
    assert.equal(point.count, 1)
    assert.ok(point.sum >= 0 && point.sum < 30, `${point.attributes.step} measured ${point.sum} s`)
  }
})

test('the route grows hop by hop: a mount ends in /*, the next hop replaces it', () => {
  assert.equal(joinRoute('', { kind: 'mount', pattern: '/mcp' }), '/mcp/*')
  assert.equal(joinRoute('/api/*', { kind: 'route', pattern: '/items/:id' }), '/api/items/:id')
  assert.equal(joinRoute('', { kind: 'mount', pattern: '/' }), '/*')
  assert.equal(joinRoute('/*', { kind: 'route', pattern: '/health' }), '/health')
  assert.equal(joinRoute('/tsgi', { kind: 'mount', pattern: '/a2a' }), '/tsgi/a2a/*')
})

test('tsgiInstrumentation() refuses an unknown option, naming the closest known one', () => {
  assert.throws(() => tsgiInstrumentation({ enabeld: false } as never), {
    name: 'InvalidArgumentError',
    message: /tsgiInstrumentation\(\) has no option 'enabeld'; did you mean 'enabled'\?/,
  })
  assert.throws(() => tsgiInstrumentation({ enabled: 'no' as never }), /enabled must be true or false, got 'no'/)
  const off = tsgiInstrumentation({ enabled: false })
  assert.equal(off.isEnabled(), false)
  off.enable()
  assert.equal(off.isEnabled(), true)
  off.disable()
})
