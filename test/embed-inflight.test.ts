// The embedding's list of responses whose app still runs: what its drain reaches. Responses
// leave it in any order, and one taken out twice, or never added, changes nothing.

import assert from 'node:assert/strict'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { test } from 'node:test'
import { InflightResponses } from '../src/embed/inflight.ts'

function response(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()))
}

test('the in-flight list keeps its order whichever response leaves first, and ignores one it does not hold', () => {
  const inflight = new InflightResponses()
  const [first, second, third, fourth] = [response(), response(), response(), response()]
  for (const res of [first, second, third, fourth]) inflight.add(res)
  assert.deepEqual(inflight.list(), [fourth, third, second, first])
  // A middle one, then the newest, then the oldest: every link is mended.
  inflight.remove(second)
  assert.deepEqual(inflight.list(), [fourth, third, first])
  inflight.remove(fourth)
  assert.deepEqual(inflight.list(), [third, first])
  inflight.remove(first)
  assert.deepEqual(inflight.list(), [third])
  inflight.remove(first)
  inflight.remove(response())
  assert.deepEqual(inflight.list(), [third])
  inflight.remove(third)
  assert.deepEqual(inflight.list(), [])
})
