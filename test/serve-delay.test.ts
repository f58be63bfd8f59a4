import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'

import { Client } from 'undici'

import { InvalidArgumentError, serve, type App } from '../src/index.ts'
import { closeWith } from '../src/serve/retire.ts'
import { recordLifecycle, refused, sleep } from './support/observe.ts'

const quiet = { signals: false as const, logger: false as const, port: 0, health: true }

/** Answers 'ok', and remembers whether `scope.draining` (from the lifespan) was aborted then. */
function appSeeingDraining() {
  let draining: AbortSignal | undefined
  const seen: boolean[] = []
  const app: App = async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      await receive()
      draining = scope.draining
      await send({ type: 'lifespan.startup.complete' })
      await receive()
      await send({ type: 'lifespan.shutdown.complete' })
      return
    }
    seen.push(draining?.aborted === true)
    await send({ type: 'http.response.start', status: 200 })
    await send({ type: 'http.response.body', body: 'ok' })
  }
  return { app, seen }
}

async function get(client: Client, path: string) {
  const response = await client.request({ path, method: 'GET' })
  return { status: response.statusCode, connection: response.headers.connection, text: await response.body.text() }
}

test('during the shutdown delay readiness fails, liveness holds, and new requests are served with connection: close', async () => {
  const { app, seen } = appSeeingDraining()
  const trace = recordLifecycle()
  const server = await serve(app, { ...quiet, shutdownDelayMs: 300 })
  // A raw keep-alive socket, idle when the delay begins: a pooled client may be sending on it.
  const idle = connect(Number(new URL(server.url).port), '127.0.0.1')
  const answers: string[] = []
  idle.on('data', (chunk) => answers.push(String(chunk)))
  idle.write('GET / HTTP/1.1\r\nHost: idle\r\n\r\n')
  for (let i = 0; answers.length === 0 && i < 400; i++) await sleep(5)
  assert.match(answers[0]!, /connection: keep-alive/i)

  const closing = server.close()
  await sleep(20)
  assert.equal(server.phase, 'delaying')
  assert.equal(idle.destroyed || idle.readableEnded, false, 'the idle socket is left open')
  idle.write('GET /again HTTP/1.1\r\nHost: idle\r\n\r\n')
  const ended = new Promise((resolve) => idle.once('close', resolve))
  await Promise.race([ended, sleep(2_000)])
  const second = answers.join('').split('HTTP/1.1 ')[2] ?? ''
  assert.match(second, /^200 /)
  assert.match(second, /connection: close/i, 'the answer on it says Connection: close')
  const fresh = new Client(server.url)
  assert.deepEqual(await get(fresh, '/readyz'), { status: 503, connection: 'close', text: 'not ready' })
  assert.deepEqual(await get(new Client(server.url), '/livez'), { status: 200, connection: 'close', text: 'live' })
  assert.deepEqual(await get(new Client(server.url), '/new'), { status: 200, connection: 'close', text: 'ok' })
  await closing
  trace.stop()
  assert.deepEqual(seen, [false, false, false], 'scope.draining is not aborted before the drain')
  const lines = trace.lines
  const at = (line: string) => lines.indexOf(line)
  assert.ok(at('phase:running') < at('phase:delaying'), lines.join(' '))
  assert.ok(at('phase:delaying') < at('delay:delay:start'))
  assert.ok(at('delay:delay:ok') < at('phase:draining'))
  assert.ok(at('phase:draining') < at('drain:drain:start'))
  const delayed = trace.events.find((e) => e.step === 'delay' && e.outcome === 'ok')!
  const began = trace.events.find((e) => e.step === 'delay' && e.outcome === 'start')!
  assert.ok(delayed.ms - began.ms >= 290, `the delay lasted ${Math.round(delayed.ms - began.ms)} ms`)
  await fresh.close()
})

test('without a shutdown delay close() goes straight from running to draining', async () => {
  const trace = recordLifecycle()
  const server = await serve(appSeeingDraining().app, quiet)
  await server.close()
  trace.stop()
  const phases = trace.lines.filter((line) => line.startsWith('phase:'))
  assert.deepEqual(phases, ['phase:starting', 'phase:running', 'phase:draining', 'phase:stopping', 'phase:stopped'])
  assert.ok(!trace.lines.some((line) => line.startsWith('delay:')))
})

test('closeWith stopAccepting closes the listener when the delay begins and keeps serving open keep-alive sockets', async () => {
  const server = await serve(appSeeingDraining().app, quiet)
  const port = Number(new URL(server.url).port)
  const pooled = new Client(server.url, { keepAliveTimeout: 60_000 })
  assert.equal((await get(pooled, '/')).connection, 'keep-alive')
  const started = performance.now()
  const retiring = closeWith(server, { delayMs: 300, stopAccepting: true })
  await sleep(20)
  assert.equal(server.phase, 'delaying')
  assert.equal(await refused(port), true, 'no new connection is taken')
  assert.deepEqual(await get(pooled, '/during'), { status: 200, connection: 'close', text: 'ok' })
  // A later close() joins the running shutdown: one sequence, one outcome.
  const joined = server.close()
  await Promise.all([retiring, joined])
  const elapsed = performance.now() - started
  assert.ok(elapsed >= 290 && elapsed < 1_500, `retiring took ${Math.round(elapsed)} ms`)
  assert.equal(server.phase, 'stopped')
  await pooled.close()
})

test('closeWith refuses a bad plan or a server it does not know, with a typed error', async () => {
  const server = await serve(appSeeingDraining().app, quiet)
  await assert.rejects(closeWith(server, { delayMs: -1, stopAccepting: false }), (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError)
    assert.match(error.message, /delayMs must be a finite number of milliseconds, 0 or more, got -1/)
    return true
  })
  await assert.rejects(closeWith(server, { delayMs: 0, stopAccepting: 'yes' as never }), /stopAccepting must be a boolean, got yes/)
  await assert.rejects(closeWith({} as never, { delayMs: 0, stopAccepting: false }), /needs a Server that serve\(\) returned/)
  assert.equal(server.phase, 'running')
  await closeWith(server, { delayMs: 0, stopAccepting: true })
  assert.equal(server.phase, 'stopped')
})
