// The embedding's list of node responses in flight: what its drain reaches. Each response
// leaves the list when it closes, in any order, however it closes.

import assert from 'node:assert/strict'
import { createServer, request, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { InflightResponses } from '../src/embed/inflight.ts'

test('a response stays in the in-flight list until it closes, whether it ended, was destroyed or its client left', async (t) => {
  const inflight = new InflightResponses()
  const held: ServerResponse[] = []
  let arrived: () => void = () => undefined
  const server = createServer((_req, res) => {
    inflight.add(res)
    held.push(res)
    if (held.length === 4) arrived()
  })
  t.after(() => server.close())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const all = new Promise<void>((resolve) => (arrived = resolve))
  const clients = [1, 2, 3, 4].map(() => {
    const client = request({ port, host: '127.0.0.1', path: '/', agent: false })
    client.on('error', () => undefined)
    client.on('response', (response) => response.resume())
    client.end()
    return client
  })
  await all
  assert.equal(inflight.list().length, 4)

  const closed = (res: ServerResponse): Promise<void> => new Promise((resolve) => res.once('close', () => setImmediate(resolve)))
  // The middle ones first, then the newest, then the oldest: every link is mended.
  const [first, second, third, fourth] = held as [ServerResponse, ServerResponse, ServerResponse, ServerResponse]
  let gone = closed(second)
  second.end('done')
  await gone
  assert.deepEqual(inflight.list(), [fourth, third, first])
  gone = closed(third)
  third.destroy()
  await gone
  assert.deepEqual(inflight.list(), [fourth, first])
  gone = closed(fourth)
  clients[3]!.destroy()
  await gone
  assert.deepEqual(inflight.list(), [first])
  gone = closed(first)
  first.end()
  await gone
  assert.deepEqual(inflight.list(), [])
})
