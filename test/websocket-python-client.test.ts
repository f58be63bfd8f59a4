// tsgi's websocket server checked by a client no one here wrote: Python's `websockets` package
// (Debian's python3-websockets) in a child process. Skipped with the reason where the
// interpreter cannot import it, as the Python conformance peers are; in CI it must be there.

import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { python } from '../conformance/drivers/servers.ts'
import type { App } from '../src/index.ts'
import { serve } from '../src/serve/serve.ts'

const script = fileURLToPath(new URL('./fixtures/python-websocket-client.py', import.meta.url))

function missing(): string | null {
  const probe = spawnSync(python, ['-c', 'import websockets'], { encoding: 'utf8' })
  return probe.status === 0 ? null : `${python} cannot import websockets (apt-get install python3-websockets)`
}

/** Refuses /deny with 401; elsewhere accepts the first subprotocol offered, echoes, and closes on 'close CODE REASON'. */
const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'websocket') return
  await receive()
  if (scope.path === '/deny') {
    await send({ type: 'websocket.http.response.start', status: 401, headers: [['content-type', 'text/plain']] })
    await send({ type: 'websocket.http.response.body', body: 'no' })
    return
  }
  await send({ type: 'websocket.accept', subprotocol: scope.subprotocols[0] ?? null, headers: [['x-room', 'lobby']] })
  for (;;) {
    const message = await receive()
    if (message.type === 'websocket.disconnect') {
      disconnects.push([message.code, message.reason ?? ''])
      return
    }
    if (message.type !== 'websocket.receive') continue
    if (message.text?.startsWith('close ') === true) {
      const [, code, reason] = message.text.split(' ')
      await send({ type: 'websocket.close', code: Number(code), reason })
    } else if (message.text !== undefined) await send({ type: 'websocket.send', text: message.text })
    else await send({ type: 'websocket.send', bytes: message.bytes! })
  }
}
const disconnects: Array<[number, string]> = []

const skip = missing()

test("Python's websockets client: subprotocol, accept headers, text, bytes, a fragmented message, ping, both closes, the denial and 1009 as the ASGI spec has them", {
  skip: skip !== null && process.env.CI === undefined ? skip : false,
}, async (t) => {
  assert.equal(skip, null, skip ?? '')
  const server = await serve(echo, { port: 0, signals: false, logger: false, websocket: { maxPayloadBytes: 1024 } })
  t.after(() => server.close())
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python, [script, server.url.replace(/^http/, 'ws')], { timeout: 25_000 }, (error, out, err) =>
      error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`)),
    )
  })
  assert.deepEqual(JSON.parse(stdout), {
    subprotocol: 'chat.v2',
    room: 'lobby',
    text: 'héllo',
    bytes: [0, 255, 16],
    fragmented: 'fragmented',
    pong: true,
    serverClose: [4001, 'bye'],
    clientClose: [4000, 'see you'],
    deny: 401,
    tooBig: 1009,
  })
  // The apps saw the client's own close, code and reason, through websocket.disconnect.
  assert.ok(
    disconnects.some(([code, reason]) => code === 4000 && reason === 'see you'),
    JSON.stringify(disconnects),
  )
})
