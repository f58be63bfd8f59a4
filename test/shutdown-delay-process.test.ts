// The shutdown delay and the drain in a real process, stopped with real signals.

import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, test } from 'node:test'

import { request } from 'undici'

import { freePort, sleep } from './support/observe.ts'
import { startFixture, waitForPort, type Running } from './support/process.ts'

const fixture = new URL('./fixtures/rollout-backend.ts', import.meta.url).pathname
const children: Running[] = []
const sockets: Socket[] = []
after(() => {
  for (const running of children) running.child.kill('SIGKILL')
  for (const socket of sockets) socket.destroy()
})

async function replica(env: Record<string, string>): Promise<Running> {
  const running = startFixture(fixture, env, await freePort())
  children.push(running)
  await waitForPort(running)
  return running
}

/** Resolves with the exit code, or -1 after `timeoutMs`. */
function exitWithin(running: Running, timeoutMs: number): Promise<number> {
  return Promise.race([running.exit, sleep(timeoutMs).then(() => -1)])
}

async function probe(url: string) {
  const response = await request(url)
  await response.body.text()
  return { status: response.statusCode, connection: response.headers.connection }
}

test('after SIGTERM /readyz answers 503 at once, /livez 200 through the delay, every answer with connection: close; exit 0 after it', async () => {
  const running = await replica({ TSGI_SHUTDOWN_DELAY_MS: '500' })
  // A warm keep-alive socket, so the time measured is the server's, not a connection setup.
  assert.deepEqual(await probe(`${running.url}/readyz`), { status: 200, connection: 'keep-alive' })
  const signalled = performance.now()
  running.child.kill('SIGTERM')
  // The signal and a probe race to the process; poll until readiness fails.
  let ready = await probe(`${running.url}/readyz`)
  while (ready.status === 200 && performance.now() - signalled < 1_000) ready = await probe(`${running.url}/readyz`)
  const readyAfterMs = performance.now() - signalled
  assert.deepEqual(ready, { status: 503, connection: 'close' })
  const seen: Array<{ status: number; connection: unknown }> = []
  while (performance.now() - signalled < 400) {
    seen.push(await probe(`${running.url}/livez`))
    seen.push(await probe(`${running.url}/`))
    await sleep(40)
  }
  const code = await exitWithin(running, 3_000)
  const exitAfterMs = performance.now() - signalled
  console.log(`delay 500: /readyz 503 ${readyAfterMs.toFixed(0)} ms after SIGTERM; exit ${code} after ${exitAfterMs.toFixed(0)} ms`)
  // About 10 ms alone; the bound leaves room for a loaded machine and stays half the delay, so
  // readiness provably fails before the drain begins.
  assert.ok(readyAfterMs < 250, `readiness failed ${readyAfterMs.toFixed(0)} ms after the signal`)
  assert.ok(seen.length >= 6)
  assert.ok(
    seen.every((s) => s.status === 200 && s.connection === 'close'),
    JSON.stringify(seen),
  )
  assert.equal(code, 0)
  assert.ok(exitAfterMs >= 500 && exitAfterMs < 2_000, `exited ${exitAfterMs.toFixed(0)} ms after SIGTERM`)
})

test('a second signal during the delay exits at once with 128 + its number', async () => {
  const running = await replica({ TSGI_SHUTDOWN_DELAY_MS: '5000' })
  running.child.kill('SIGTERM')
  await sleep(100)
  const second = performance.now()
  running.child.kill('SIGINT')
  const code = await exitWithin(running, 2_000)
  const elapsed = performance.now() - second
  console.log(`second signal during the delay: exit ${code} after ${elapsed.toFixed(0)} ms`)
  assert.equal(code, 130)
  // Tens of milliseconds alone; the margin is for a loaded machine, still far from the 5 s delay.
  assert.ok(elapsed < 1_000, `exited ${elapsed.toFixed(0)} ms after the second signal`)
})

function open(port: number, write?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (write !== undefined) socket.write(write)
      resolve(socket)
    })
    socket.on('error', reject)
    sockets.push(socket)
  })
}

/** A keep-alive socket that had one request answered and now sits idle. */
async function idleKeepAlive(port: number): Promise<Socket> {
  const socket = await open(port, 'GET / HTTP/1.1\r\nHost: idle\r\n\r\n')
  // A socket the server closes unanswered (a cap, say) fails here instead of waiting forever.
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve())
    socket.once('close', () => reject(new Error('the server closed an idle keep-alive socket before answering')))
  })
  return socket
}

test('the drain closes 1 silent, 200 slowloris and 1,000 idle keep-alive sockets at once: exit well under 1 s', async () => {
  const running = await replica({ MAX_CONNECTIONS_PER_CLIENT: '2000' })
  const port = running.port
  await open(port)
  for (let i = 0; i < 200; i++) await open(port, 'GET / HTTP/1.1\r\nHost: slow\r\nX-Drip: ')
  for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 100 }, () => idleKeepAlive(port)))
  for (const socket of sockets) socket.on('error', () => undefined)
  const closedByServer = Promise.all(sockets.map((s) => new Promise((resolve) => s.once('close', resolve))))
  const signalled = performance.now()
  running.child.kill('SIGTERM')
  const code = await exitWithin(running, 5_000)
  const elapsed = performance.now() - signalled
  console.log(`drain with 1 silent + 200 slowloris + 1000 idle sockets: exit ${code} after ${elapsed.toFixed(0)} ms`)
  assert.equal(code, 0)
  assert.ok(elapsed < 1_000, `exited ${elapsed.toFixed(0)} ms after SIGTERM`)
  await Promise.race([closedByServer, sleep(2_000)])
  assert.ok(
    sockets.every((s) => s.destroyed || s.readableEnded),
    'every socket was closed by the server',
  )
})
