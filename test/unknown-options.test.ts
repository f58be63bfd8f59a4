// A misspelled option fails at once with an InvalidArgumentError naming it and the closest known
// name, instead of being ignored (TypeScript catches it only where no cast got in the way).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

import { a2aApp } from '../src/a2a/app.ts'
import { agent, agentApp } from '../src/agent/agent.ts'
import { embed, InvalidArgumentError, serve, type App } from '../src/index.ts'
import { mcpApp } from '../src/mcp/app.ts'
import { mcpServerApp } from '../src/mcp-server/app.ts'

const app: App = async () => {}
const card = { name: 'Echo', description: 'Says it back' }
const executor = { execute: async () => {}, cancelTask: async () => {} }
const server = () => new McpServer({ name: 'n', version: '1' })
const verify = async () => null

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

test('serve() names the full path of a typo inside health, primary, restart, websocket and tls, with the closest name beside it', async () => {
  const cases: Array<[object, string]> = [
    [{ health: { prot: 9000 } }, "serve() has no option 'health.prot'; did you mean 'health.port'?"],
    [{ health: { readiness: '/ready' } }, "serve() has no option 'health.readiness'"],
    [{ primary: { onstartup: [] } }, "serve() has no option 'primary.onstartup'; did you mean 'primary.onStartup'?"],
    [{ restart: { maxCrash: 3 } }, "serve() has no option 'restart.maxCrash'; did you mean 'restart.maxCrashes'?"],
    [{ restart: { windowMS: 10 } }, "serve() has no option 'restart.windowMS'; did you mean 'restart.windowMs'?"],
    [{ websocket: { pingInterval: 10 } }, "serve() has no option 'websocket.pingInterval'; did you mean 'websocket.pingIntervalMs'?"],
    [{ tls: { key: 'k', cert: 'c', passhrase: 'p' } }, "serve() has no option 'tls.passhrase'; did you mean 'tls.passphrase'?"],
    [{ tls: { keyFile: 'k.pem', certFlie: 'c.pem' } }, "serve() has no option 'tls.certFlie'; did you mean 'tls.certFile'?"],
  ]
  for (const [options, message] of cases) {
    // Refused before anything starts, with and without workers (the primary reads them too).
    await assert.rejects(serve(app, { port: 0, ...options } as never), refused(message))
    await assert.rejects(serve(app, { port: 0, workers: 2, ...options } as never), refused(message))
  }
})

test('mcpApp(), mcpServerApp() and a2aApp() name the full path of a typo inside cors and auth', () => {
  const builders: Array<[string, (extra: object) => unknown]> = [
    ['mcpApp()', (extra) => mcpApp({ server, ...extra } as never)],
    ['mcpServerApp()', (extra) => mcpServerApp({ server: () => ({}) as never, ...extra } as never)],
    ['a2aApp()', (extra) => a2aApp({ card, executor, ...extra } as never)],
  ]
  for (const [name, build] of builders) {
    assert.throws(
      () => build({ cors: { origin: ['https://a.example'] } }),
      refused(`${name} has no option 'cors.origin'; did you mean 'cors.origins'?`),
    )
    assert.throws(
      () => build({ auth: { verify, resourceMetadataURL: 'https://a.example/meta' } }),
      refused(`${name} has no option 'auth.resourceMetadataURL'; did you mean 'auth.resourceMetadataUrl'?`),
    )
    assert.throws(() => build({ auth: { verfy: verify } }), refused(`${name} has no option 'auth.verfy'; did you mean 'auth.verify'?`))
    // Well-formed nested options still pass.
    build({ cors: { origins: ['https://a.example'] }, auth: { verify, resourceMetadataUrl: 'https://a.example/meta' } })
  }
})

test('agent() and agentApp() name the full path of a typo inside cors, auth, mcp and a2a, on the call the user wrote', async () => {
  const cases: Array<[object, string]> = [
    [{ mcp: { server }, cors: { orgins: [] } }, "has no option 'cors.orgins'; did you mean 'cors.origins'?"],
    [{ mcp: { server }, auth: { verify, metadataUrl: 'x' } }, "has no option 'auth.metadataUrl'"],
    [{ mcp: { server, statless: true } }, "has no option 'mcp.statless'; did you mean 'mcp.stateless'?"],
    [{ mcp: { server }, a2a: { crad: card, executor } }, "has no option 'a2a.crad'; did you mean 'a2a.card'?"],
  ]
  for (const [options, message] of cases) {
    assert.throws(() => agentApp(options as never), refused(`agentApp() ${message}`))
    await assert.rejects(agent({ port: 0, logger: false, signals: false, ...options } as never), refused(`agent() ${message}`))
  }
  // A built app passed as `mcp` is not an options object: nothing to check inside it.
  assert.equal(typeof agentApp({ transport: 'mcp', mcp: mcpApp({ server }) }).app, 'function')
})
