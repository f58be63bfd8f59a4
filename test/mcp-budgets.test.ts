// mcpApp's byte budgets, on real sockets from the attacker's address: what a client declares
// at initialize is refused past maxClientInfoBytes, and the session table holds no more bytes
// than maxSessionTableBytes however large the declarations it lets in. Heap after a forced GC.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { mcpApp, type McpAppOptions } from '../src/mcp/app.ts'
import { mount, router } from '../src/index.ts'
import { host } from './fixtures/agent-host.ts'
import { initializeMessage, mcpPost, socketFrom, until } from './support/attacker.ts'
import { heapAfterGc, MiB } from './support/heap.ts'

async function hostMcp(options: Partial<McpAppOptions>) {
  const mcp = mcpApp({ server: () => new McpServer({ name: 'budget', version: '1.0.0' }), ...options })
  const hosted = await host(router([mount('/mcp', mcp)]))
  return { ...hosted, mcp }
}

/** `count` initializes declaring `size` bytes (half in clientInfo.name, half in capabilities.experimental), pipelined from 127.0.0.2. */
async function declareLarge(port: number, count: number, size: number): Promise<string> {
  const socket = await socketFrom(port)
  const requests = Array.from({ length: count }, (_, i) =>
    mcpPost(
      '/mcp',
      initializeMessage(i + 1, { name: 'n'.repeat(size / 2), version: '1' }, { experimental: { x: { y: 'c'.repeat(size / 2) } } }),
    ),
  )
  socket.write(requests.join(''))
  const text = await until(socket, (received) => (received.match(/^HTTP\/1\.1 /gm) ?? []).length >= count, 30_000)
  socket.destroy()
  return text
}

test('an initialize declaring 490 KB of clientInfo and capabilities gets 400 with JSON-RPC -32602 naming the limit, and no session', async () => {
  const { port, mcp, close } = await hostMcp({ maxBodyBytes: 4 * MiB })
  try {
    const text = await declareLarge(port, 1, 490_000)
    const [head, body] = text.split('\r\n\r\n') as [string, string]
    assert.match(head, /^HTTP\/1\.1 400 /)
    const answer = JSON.parse(body) as { error: { code: number; message: string }; id: unknown }
    assert.equal(answer.error.code, -32602)
    assert.equal(answer.id, 1)
    assert.match(
      answer.error.message,
      /^Invalid params: clientInfo and capabilities take \d+ bytes of JSON; this server accepts at most 16384$/,
    )
    assert.equal(mcp.sessionCount, 0)
  } finally {
    await close()
  }
})

test('the session table stays within maxSessionTableBytes: 60 sessions declaring 200 KB each from one address keep at most 8 MiB charged and the heap near it', async () => {
  const { port, mcp, close } = await hostMcp({
    maxBodyBytes: 4 * MiB,
    maxClientInfoBytes: 256 * 1024,
    maxSessionTableBytes: 8 * MiB,
    maxSessionsPerClient: 1_000,
  })
  try {
    const before = heapAfterGc()
    const text = await declareLarge(port, 60, 200_000)
    await new Promise((resolve) => setTimeout(resolve, 100)) // evicted sessions close in the background
    const grown = (heapAfterGc() - before) / MiB
    const rss = process.memoryUsage().rss / MiB
    console.log(
      `60 × 200 KB declared: ${mcp.sessionCount} sessions kept, heap +${grown.toFixed(1)} MiB after GC, RSS ${rss.toFixed(0)} MiB`,
    )
    assert.equal((text.match(/^HTTP\/1\.1 200 /gm) ?? []).length, 60, 'each initialize was let in, evicting the oldest')
    // Each is charged 32 KiB + 2 × 200 KB: 8 MiB holds 19 of them.
    assert.ok(mcp.sessionCount <= 19, `${mcp.sessionCount} sessions kept`)
    assert.ok(grown < 16, `the heap grew by ${grown.toFixed(1)} MiB`)
  } finally {
    await close()
  }
})

test("a session's charge is not below what it really holds: 30 sessions declaring 100 KB each take no more heap than they are charged", async () => {
  const { port, mcp, close } = await hostMcp({ maxClientInfoBytes: 128 * 1024, maxSessionsPerClient: 1_000 })
  try {
    const before = heapAfterGc()
    await declareLarge(port, 30, 100_000)
    const perSession = (heapAfterGc() - before) / 30
    console.log(
      `heap per session declaring 100 KB: ${(perSession / 1024).toFixed(0)} KiB; charged ${((32 * 1024 + 200_000) / 1024).toFixed(0)} KiB`,
    )
    assert.equal(mcp.sessionCount, 30)
    assert.ok(perSession <= 32 * 1024 + 200_000, `a session holds ${(perSession / 1024).toFixed(0)} KiB of heap`)
  } finally {
    await close()
  }
})

test('byte budget options are checked when the app is built', () => {
  const server = () => new McpServer({ name: 'x', version: '1' })
  assert.throws(
    () => mcpApp({ server, maxClientInfoBytes: 0 }),
    /mcpApp maxClientInfoBytes must be a positive integer number of bytes, got 0/,
  )
  assert.throws(() => mcpApp({ server, maxSessionTableBytes: 1024 }), /mcpApp maxSessionTableBytes \(1024\) must hold at least one session/)
  assert.throws(() => mcpApp({ server, maxSessionsPerClient: -1 }), /mcpApp maxSessionsPerClient must be a positive integer, got -1/)
  assert.throws(() => mcpApp({ server, maxStreamsPerClient: 2.5 }), /mcpApp maxStreamsPerClient must be a positive integer, got 2.5/)
  assert.throws(
    () => mcpApp({ server, maxSessionPerClient: 3 } as never),
    /mcpApp\(\) has no option 'maxSessionPerClient'; did you mean 'maxSessionsPerClient'\?/,
  )
})
