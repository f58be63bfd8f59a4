// What a framework cannot express is read off the scenario's data and skipped with a reason
// that names what is missing; nothing is skipped silently.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { requirementsOf } from '../conformance/runner/requirements.ts'
import { scenarios } from '../conformance/scenarios/index.ts'
import { driverFor, serverNames } from '../conformance/select.ts'

const byId = (id: string) => scenarios.find((s) => s.id === id)!

test('a leaf that answers twice, sends before startup, inspects its scope or returns without answering needs the lifespan protocol', () => {
  for (const id of ['P9', 'P10', 'P16', 'P20', 'P21']) assert.ok(requirementsOf(byId(id)).includes('lifespan-protocol'), id)
  for (const id of ['P1', 'P2', 'P3', 'C1', 'X4']) assert.ok(!requirementsOf(byId(id)).includes('lifespan-protocol'), id)
})

test('the Node peers skip what their framework cannot express, saying why', () => {
  const reason = (server: string, id: string) => driverFor(server).unsupported(byId(id), requirementsOf(byId(id)))
  assert.match(reason('fastify', 'P9') ?? '', /returning is the answer/)
  assert.match(reason('express-terminus', 'S17') ?? '', /Express has no startup hooks/)
  assert.match(reason('hono-node', 'X15') ?? '', /no startup, shutdown or drain time limit/)
  assert.equal(reason('fastify', 'X15'), null, 'pluginTimeout bounds a Fastify startup')
  assert.equal(reason('daphne', 'P1'), null, 'Daphne runs lifespan scenarios, and fails them')
})

test('every server either runs a scenario or gives a reason for skipping it', () => {
  for (const server of serverNames) {
    const driver = driverFor(server)
    for (const scenario of scenarios) {
      const why = driver.unsupported(scenario, requirementsOf(scenario))
      assert.ok(why === null || why.trim().length > 10, `${server} ${scenario.id}: '${why}'`)
    }
  }
})
