// The embedding's list of responses whose app still runs: what its drain reaches. Responses
// leave it in any order, and one taken out twice changes nothing.

import assert from 'node:assert/strict'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { test } from 'node:test'
import { InflightResponses } from '../src/embed/inflight.ts'

function response(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()))
}

test('the in-flight list keeps its order whichever response leaves first, and a second removal of one changes nothing', () => {
  const inflight = new InflightResponses()
  const [first, second, third, fourth] = [response(), response(), response(), response()]
  const [a, b, c, d] = [first, second, third, fourth].map((res) => inflight.add(res))
  assert.deepEqual(inflight.list(), [fourth, third, second, first])
  // A middle one, then the newest, then the oldest: every link is mended.
  inflight.remove(b!)
  assert.deepEqual(inflight.list(), [fourth, third, first])
  inflight.remove(d!)
  assert.deepEqual(inflight.list(), [third, first])
  inflight.remove(a!)
  assert.deepEqual(inflight.list(), [third])
  // Removed already: its stale neighbours must not be written back into the list.
  inflight.remove(a!)
  inflight.remove(d!)
  assert.deepEqual(inflight.list(), [third])
  inflight.remove(c!)
  assert.deepEqual(inflight.list(), [])
})
