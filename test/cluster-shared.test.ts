// The generic cluster facilities outside a worker (in a worker, test/mcp-server-workers.test.ts
// runs them across real processes): a shared secret made once per name, and a broadcast that
// delivers in process.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { clusterBroadcast } from '../src/cluster/broadcast.ts'
import { sharedSecret } from '../src/cluster/shared-secret.ts'
import { InvalidArgumentError } from '../src/protocol/errors.ts'

test('sharedSecret() makes 32 random bytes once per name and hands the same ones to every caller', async () => {
  const first = await sharedSecret('test:a')
  assert.equal(first.byteLength, 32)
  assert.deepEqual(await sharedSecret('test:a'), first)
  assert.notDeepEqual(await sharedSecret('test:b'), first)
  assert.throws(() => sharedSecret(''), InvalidArgumentError)
})

test('clusterBroadcast() delivers to every subscriber of its topic, past one that throws, and not after unsubscribe', () => {
  const heard: string[] = []
  const topic = clusterBroadcast<string>('test:topic')
  const stopThrowing = topic.subscribe(() => {
    throw new Error('a listener that fails')
  })
  const stop = topic.subscribe((value) => heard.push(value))
  clusterBroadcast<string>('test:other').subscribe((value) => heard.push(`other ${value}`))
  topic.publish('one')
  stop()
  stop()
  topic.publish('two')
  stopThrowing()
  topic.publish('three')
  assert.deepEqual(heard, ['one'])
})
