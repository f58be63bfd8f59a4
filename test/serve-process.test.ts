// X1–X10 against our own server, run as a real child process and stopped with real signals.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Client, request } from 'undici'

import { freePort, sleep } from './support/observe.ts'
import { tryConnect } from './support/observe.ts'
import { startFixture, waitForEvent, waitForPort } from './support/process.ts'

const fixture = new URL('./fixtures/serve-process.ts', import.meta.url).pathname

async function boot(scenario: string) {
  const running = startFixture(fixture, { SCENARIO: scenario }, await freePort())
  return running
}

const names = (running: { events(): Array<{ event: string }> }) => running.events().map((e) => e.event)

test('X1 a normal boot accepts its first request only after the app finished startup', async () => {
  const running = await boot('slow-startup')
  await waitForEvent(running, 'startup')
  assert.equal(await tryConnect(running.port), false, 'refused while startup runs')
  await waitForPort(running)
  const response = await request(running.url)
  assert.equal(response.statusCode, 200)
  await response.body.text()
  const events = running.events()
  const completed = events.find((e) => e.event === 'startup.complete')!.t
  const served = events.find((e) => e.event === 'request /')!.t
  assert.ok(completed < served)
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
})

test('X2 startup.failed: the process exits non-zero, logs the failure message, never accepts a connection', async () => {
  const running = await boot('startup-fails')
  let accepted = false
  let exited = false
  void running.exit.then(() => (exited = true))
  while (!exited) {
    accepted ||= await tryConnect(running.port)
    await sleep(10)
  }
  assert.notEqual(await running.exit, 0)
  assert.equal(accepted, false)
  assert.match(running.stderr(), /the worker could not reach its queue/)
  assert.ok(!names(running).includes('listening'))
})

test('X3 an app that does not support lifespan is served anyway and is sent no shutdown', async () => {
  const running = await boot('no-lifespan')
  await waitForPort(running)
  assert.equal((await request(running.url)).statusCode, 200)
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  assert.ok(!names(running).includes('startup'))
  assert.ok(!names(running).includes('shutdown'))
})

test('X4 SIGTERM while idle sends lifespan.shutdown, awaits shutdown.complete and exits 0', async () => {
  const running = await boot('normal')
  await waitForPort(running)
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  assert.deepEqual(names(running), ['startup', 'startup.complete', 'listening', 'shutdown', 'shutdown.complete', 'exit 0'])
})

test('X5 SIGTERM with a request in flight: the response completes with 200 before lifespan.shutdown is sent', async () => {
  const running = await boot('normal')
  await waitForPort(running)
  const slow = request(`${running.url}/slow`)
  await waitForEvent(running, 'request /slow')
  running.child.kill('SIGTERM')
  const response = await slow
  assert.equal(response.statusCode, 200)
  assert.equal(await response.body.text(), 'ok /slow')
  assert.equal(await running.exit, 0)
  const order = names(running)
  assert.ok(order.indexOf('response /slow') < order.indexOf('shutdown'), order.join(', '))
})

test('X6 SIGTERM with idle keep-alive connections exits promptly, not after the keep-alive timeout', async () => {
  const running = await boot('normal')
  await waitForPort(running)
  const clients = Array.from({ length: 20 }, () => new Client(running.url, { keepAliveTimeout: 60_000 }))
  for (const client of clients) await (await client.request({ path: '/', method: 'GET' })).body.text()
  const signalled = performance.now()
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  const took = performance.now() - signalled
  assert.ok(took < 1_000, `exit took ${Math.round(took)} ms`)
  await Promise.all(clients.map((c) => c.close()))
})

test('X7 SIGTERM during startup: startup finishes, a full shutdown runs, the server never listens, exit 0', async () => {
  const running = await boot('slow-startup')
  await waitForEvent(running, 'startup')
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 0)
  assert.deepEqual(names(running), ['startup', 'startup.complete', 'shutdown', 'shutdown.complete', 'exit 0'])
})

test('X8 a second signal during a slow shutdown forces exit at once with 128 + the signal number', async () => {
  const running = await boot('slow-shutdown')
  await waitForPort(running)
  running.child.kill('SIGTERM')
  await waitForEvent(running, 'shutdown')
  const second = performance.now()
  running.child.kill('SIGINT')
  assert.equal(await running.exit, 130)
  assert.ok(performance.now() - second < 1_000)
  assert.ok(!names(running).includes('shutdown.complete'))
  assert.match(running.stderr(), /SIGINT received again; exiting now/)
})

test('X9 shutdown.failed is logged by step and the process exits 1', async () => {
  const running = await boot('shutdown-fails')
  await waitForPort(running)
  running.child.kill('SIGTERM')
  assert.equal(await running.exit, 1)
  assert.match(running.stderr(), /shutdown step app failed/)
})

test('X10 new connections are refused once the signal arrived', async () => {
  const running = await boot('normal')
  await waitForPort(running)
  const slow = request(`${running.url}/slow`)
  await waitForEvent(running, 'request /slow')
  running.child.kill('SIGTERM')
  await sleep(100)
  assert.equal(await tryConnect(running.port), false)
  assert.equal((await slow).statusCode, 200)
  assert.equal(await running.exit, 0)
})
