// The request body on the node bridge once the response is over: what a waiting receive() is
// told, and that the body limit still holds for the bytes the bridge throws away.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { App, ReceiveMessage } from '../src/index.ts'
import { delay, rawSocket, receivedUntil, serveBridge, signal } from './support/bridge.ts'

const answer = async (send: Parameters<App>[2], body: string) => {
  await send({ type: 'http.response.start', status: 200 })
  await send({ type: 'http.response.body', body })
}

test('a receive() still waiting for body when the response ends gets http.disconnect', { timeout: 5000 }, async (t) => {
  const waiting = signal<ReceiveMessage>()
  const { port } = await serveBridge(t, async (_scope, receive, send) => {
    await receive()
    const pending = receive()
    await answer(send, 'early answer')
    waiting.resolve(await pending)
  })
  const socket = await rawSocket(t, port)
  const response = receivedUntil(socket, /early answer/)
  socket.write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n')
  await response
  assert.deepEqual(await waiting.promise, { type: 'http.disconnect' })
})

for (const read of ['partly read', 'unread']) {
  test(`a chunked body left ${read} is discarded only up to the limit, then the connection closes after the response`, async (t) => {
    const { port } = await serveBridge(
      t,
      async (_scope, receive, send) => {
        if (read === 'partly read') await receive()
        await answer(send, 'answered')
      },
      { maxBodyBytes: 4096 },
    )
    const socket = await rawSocket(t, port)
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
    const chunk = `400\r\n${'q'.repeat(0x400)}\r\n`
    // Keep sending well past the limit; the server must stop listening and close.
    for (let i = 0; i < 64 && !socket.destroyed && socket.writable; i++) {
      socket.write(chunk)
      await delay(2)
    }
    const outcome = await Promise.race([closed.then(() => 'closed'), delay(3000).then(() => 'still open')])
    assert.equal(outcome, 'closed')
    assert.match(text, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nanswered$/)
  })
}

test('a chunked body under the limit that the app never read leaves the connection usable', async (t) => {
  const { port } = await serveBridge(t, async (_scope, _receive, send) => answer(send, 'ignored the body'), { maxBodyBytes: 4096 })
  const socket = await rawSocket(t, port)
  const both = receivedUntil(socket, /ignored the body[\s\S]*ignored the body/)
  socket.write('POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
  socket.write('GET /b HTTP/1.1\r\nHost: x\r\n\r\n')
  assert.equal((await both).match(/HTTP\/1\.1 200 OK/g)?.length, 2)
})
