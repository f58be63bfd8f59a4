// A connection flood against serve(), on real sockets: silent connections from the attacker's
// addresses (127.0.0.2 and up) must not keep 127.0.0.1's health probes and MCP calls out. The
// numbers are scaled down from 10,050 connections against maxConnections 10,000 (the file
// descriptors of one test process) to 1,050 against 1,000; the mechanism is the same.

import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { after, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { mcpApp } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { readServeOptions } from '../src/serve/options.ts'
import { serve } from '../src/serve/serve.ts'
import { silentSockets } from './support/attacker.ts'
import { freePort, sleep } from './support/observe.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }
const held: Socket[] = []
after(() => {
  for (const socket of held) socket.destroy()
})

function mcpRouter() {
  const server = () => {
    const mcp = new McpServer({ name: 'flood', version: '1.0.0' })
    mcp.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }))
    return mcp
  }
  return router([mount('/mcp', mcpApp({ server }))])
}

/**
 * Opens `count` silent connections from `from`; resolves with how many are still open once
 * `expected` are left (or 10 s passed: the server's closes reach a loaded machine's client late).
 */
async function flood(port: number, count: number, from: string, expected: number): Promise<number> {
  const sockets = await silentSockets(port, count, from)
  held.push(...sockets)
  const open = () => sockets.filter((s) => !s.destroyed).length
  for (let waited = 0; open() > expected && waited < 10_000; waited += 50) await sleep(50)
  return open()
}

async function status(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
    await response.text()
    return response.status
  } catch (error) {
    return String((error as Error).cause ?? error)
  }
}

async function mcpCall(url: string): Promise<string> {
  const client = new Client({ name: 'legit', version: '1' })
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)))
    return JSON.stringify((await client.callTool({ name: 'ping' })).content)
  } catch (error) {
    return String(error)
  } finally {
    await client.close().catch(() => undefined)
  }
}

test('1,050 silent connections from 127.0.0.2 against maxConnections 1,000: past maxConnectionsPerClient they are closed, and 127.0.0.1 gets /livez and an MCP answer', async () => {
  const server = await serve(mcpRouter(), { ...quiet, health: true, maxConnections: 1_000, maxConnectionsPerClient: 100 })
  try {
    const kept = await flood(Number(new URL(server.url).port), 1_050, '127.0.0.2', 100)
    const live = await status(`${server.url}/livez`)
    const mcp = await mcpCall(server.url)
    console.log(`flood from one address: ${kept} of 1,050 connections kept open; 127.0.0.1 /livez ${live}, MCP ${mcp}`)
    assert.ok(kept <= 100, `${kept} connections of one address kept open`)
    assert.equal(live, 200)
    assert.equal(mcp, JSON.stringify([{ type: 'text', text: 'pong' }]))
  } finally {
    for (const socket of held.splice(0)) socket.destroy()
    await server.close()
  }
})

test('at maxConnections, filled from ten addresses, the probe listener of health.port still answers /livez and /readyz', async () => {
  const probePort = await freePort()
  const server = await serve(mcpRouter(), {
    ...quiet,
    health: { port: probePort },
    maxConnections: 1_000,
    maxConnectionsPerClient: 100,
    shutdownDelayMs: 2_000, // long enough for a loaded machine to answer the probe during it
  })
  try {
    const port = Number(new URL(server.url).port)
    let kept = 0
    for (let i = 2; i <= 11; i++) kept += await flood(port, 100, `127.0.0.${i}`, 100)
    const onAppPort = await status(`${server.url}/livez`)
    const live = await status(`http://127.0.0.1:${probePort}/livez`)
    const ready = await status(`http://127.0.0.1:${probePort}/readyz`)
    const other = await status(`http://127.0.0.1:${probePort}/mcp`)
    console.log(
      `server full (${kept} connections): /livez on the app's port ${onAppPort}; on the probe port /livez ${live}, /readyz ${ready}`,
    )
    assert.equal(kept, 1_000)
    assert.notEqual(onAppPort, 200, "the app's port is full")
    assert.equal(live, 200)
    assert.equal(ready, 200)
    assert.equal(other, 404, 'the probe port serves nothing but the probes')
    for (const socket of held.splice(0)) socket.destroy()
    const closing = server.close()
    await sleep(50)
    assert.equal(await status(`http://127.0.0.1:${probePort}/readyz`), 503, 'readiness fails once the shutdown began')
    await closing
    assert.match(String(await status(`http://127.0.0.1:${probePort}/livez`)), /ECONNREFUSED/, 'the probe port closes with the server')
  } finally {
    await server.close()
  }
})

test('the guard options are checked when serve() is called', () => {
  assert.throws(
    () => readServeOptions({ maxConnectionsPerClient: 0 }),
    /serve\(\): maxConnectionsPerClient must be a positive integer or Infinity, got 0/,
  )
  assert.throws(
    () => readServeOptions({ writeTimeoutMs: -5 }),
    /serve\(\): writeTimeoutMs must be a positive, finite number of milliseconds, got -5/,
  )
  assert.throws(
    () => readServeOptions({ health: { port: 70_000 } }),
    /serve\(\): health.port must be an integer from 0 to 65535, got 70000/,
  )
  assert.throws(
    () => readServeOptions({ health: { prot: 9000 } as never }),
    /serve\(\) has no option 'health\.prot'; did you mean 'health\.port'\?$/,
  )
  const defaults = readServeOptions({})
  assert.deepEqual(defaults.guards, { maxConnectionsPerClient: 1_000, writeTimeoutMs: 30_000 })
})
