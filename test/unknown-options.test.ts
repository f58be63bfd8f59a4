// A misspelled option fails at once with an InvalidArgumentError naming it and the closest known
// name, instead of being ignored (TypeScript catches it only where no cast got in the way).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

import { a2aApp } from '../src/a2a/app.ts'
import { agent, agentApp } from '../src/agent/agent.ts'
import { embed, InvalidArgumentError, serve, type App } from '../src/index.ts'
import { mcpApp } from '../src/mcp/app.ts'

const app: App = async () => {}
const card = { name: 'Echo', description: 'Says it back' }
const executor = { execute: async () => {}, cancelTask: async () => {} }
const server = () => new McpServer({ name: 'n', version: '1' })

/** Asserts an InvalidArgumentError whose message is exactly `message`. */
function refused(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `not an InvalidArgumentError: ${String(error)}`)
    assert.equal(error.message, message)
    return true
  }
}

test("serve() refuses 'onstartup' and suggests 'onStartup', before anything starts", async () => {
  let started = false
  const watched: App = async (scope, receive, send) => {
    if (scope.type !== 'lifespan') return
    started = true
    await receive()
    await send({ type: 'lifespan.startup.complete' })
  }
  await assert.rejects(
    serve(watched, { port: 0, onstartup: [() => {}] } as never),
    refused("serve() has no option 'onstartup'; did you mean 'onStartup'?"),
  )
  assert.equal(started, false)
})

test('serve() refuses a name far from every option without a suggestion, with workers as without', async () => {
  await assert.rejects(serve(app, { port: 0, banana: 1 } as never), refused("serve() has no option 'banana'"))
  await assert.rejects(
    serve(app, { port: 0, workers: 2, drainTimeMs: 5 } as never),
    refused("serve() has no option 'drainTimeMs'; did you mean 'drainTimeoutMs'?"),
  )
})

test("embed() refuses 'onShutdwn' and names the host as the owner of serve()'s port", () => {
  assert.throws(() => embed(app, { onShutdwn: [] } as never), refused("embed() has no option 'onShutdwn'; did you mean 'onShutdown'?"))
  assert.throws(
    () => embed(app, { signals: false } as never),
    refused("embed() has no option 'signals': the host owns the port, the signals and the probes"),
  )
})

test("mcpApp() refuses 'statless' and suggests 'stateless'", () => {
  assert.throws(() => mcpApp({ server, statless: true } as never), refused("mcpApp() has no option 'statless'; did you mean 'stateless'?"))
})

test("a2aApp() refuses 'maxTask' and suggests 'maxTasks'", () => {
  assert.throws(
    () => a2aApp({ card, executor, maxTask: 5 } as never),
    refused("a2aApp() has no option 'maxTask'; did you mean 'maxTasks'?"),
  )
})

test("agent() and agentApp() refuse 'tranport' and suggest 'transport'; agent() takes every serve() option", async () => {
  await assert.rejects(
    agent({ mcp: { server }, tranport: 'mcp' } as never),
    refused("agent() has no option 'tranport'; did you mean 'transport'?"),
  )
  assert.throws(
    () => agentApp({ mcp: { server }, tranport: 'mcp' } as never),
    refused("agentApp() has no option 'tranport'; did you mean 'transport'?"),
  )
  await assert.rejects(
    agent({ mcp: { server }, transport: 'mcp', shutdownDelayMS: 1 } as never),
    refused("agent() has no option 'shutdownDelayMS'; did you mean 'shutdownDelayMs'?"),
  )
  const served = await agent({ mcp: { server }, transport: 'mcp', port: 0, logger: false, signals: false, drainTimeoutMs: 1_000 })
  await served.close()
})
