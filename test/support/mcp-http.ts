// Raw HTTP against an MCP endpoint (either SDK's app), for what a real client never sends: the
// headers every JSON-RPC POST carries, the error out of an answer, and the body-limit contract
// both apps share.

import assert from 'node:assert/strict'

export const rpcHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

export async function rpcErrorOf(response: Response): Promise<{ code: number; message: string }> {
  return ((await response.json()) as { error: { code: number; message: string } }).error
}

/**
 * A body one byte past `limit` gets 413 naming the limit when its length is declared, and 413
 * when it comes in chunks with no length (the cut happens while reading, not after).
 */
export async function expectBodyLimit(endpoint: string, limit: number): Promise<void> {
  const declared = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: 'x'.repeat(limit + 1) })
  assert.equal(declared.status, 413)
  assert.match((await rpcErrorOf(declared)).message, new RegExp(`must not exceed ${limit} bytes`))
  const chunkBytes = Math.ceil((limit + 1) / 4)
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(chunkBytes)))
      controller.close()
    },
  })
  const streamed = await fetch(endpoint, { method: 'POST', headers: rpcHeaders, body: chunks, duplex: 'half' } as RequestInit)
  assert.equal(streamed.status, 413)
  await streamed.body?.cancel()
}
