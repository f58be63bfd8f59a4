// The fetch bridge over a real socket: node:http on 127.0.0.1, toNodeHandler in front, a real
// fetch client. Both bodies must stream end to end: nothing waits for a whole body.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fromFetch, toFetchHandler } from '../src/fetch/app.ts'
import { toNodeHandler } from '../src/node/handler.ts'
import type { App } from '../src/protocol/types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

async function listen(app: App): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(toNodeHandler(app, { logger: false }))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

test('a fetch handler behind the node bridge reads a request body chunk by chunk while the client is still sending', async () => {
  const firstChunkSeen = deferred<string>()
  const app = fromFetch(async (request) => {
    const reader = request.body!.getReader()
    const parts: string[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(decoder.decode(value))
      if (parts.length === 1) firstChunkSeen.resolve(parts[0]!)
    }
    return new Response(parts.join(''), { headers: { 'content-type': 'text/plain' } })
  })
  const { url, close } = await listen(app)
  try {
    let push!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        push = c
      },
    })
    const responding = fetch(`${url}/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit)
    push.enqueue(encoder.encode('first;'))
    // The handler sees the first chunk while the request body is still open.
    assert.equal(await firstChunkSeen.promise, 'first;')
    push.enqueue(encoder.encode('second'))
    push.close()
    const response = await responding
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'first;second')
  } finally {
    await close()
  }
})

test('an SSE response from a fetch handler reaches the client event by event, and a client that leaves aborts the handler', async () => {
  const aborted = deferred()
  const next = deferred()
  let cancelled = false
  const app = fromFetch((request) => {
    request.signal.addEventListener('abort', () => aborted.resolve())
    let step = 0
    const events = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          step++
          if (step === 2) await next.promise
          // After two events the stream idles, as an SSE stream between events does.
          if (step > 2) await new Promise(() => {})
          controller.enqueue(encoder.encode(`data: ${step}\n\n`))
        },
        cancel() {
          cancelled = true
        },
      },
      { highWaterMark: 0 },
    )
    return new Response(events, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } })
  })
  const { url, close } = await listen(app)
  try {
    const controller = new AbortController()
    const response = await fetch(`${url}/events`, { signal: controller.signal })
    assert.equal(response.headers.get('content-type'), 'text/event-stream')
    const reader = response.body!.getReader()
    assert.equal(decoder.decode((await reader.read()).value), 'data: 1\n\n')
    next.resolve()
    assert.equal(decoder.decode((await reader.read()).value), 'data: 2\n\n')
    controller.abort()
    await aborted.promise
    await sleep(20)
    assert.equal(cancelled, true)
  } finally {
    await close()
  }
})

test('an app served through toFetchHandler, fromFetch and the node bridge streams both ways over a socket', async () => {
  // The innermost app echoes each request chunk upper-cased as soon as it arrives.
  const echo: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/octet-stream']] })
    for (;;) {
      const message = await receive()
      if (message.type !== 'http.request') return
      if (message.body.byteLength > 0) {
        await send({ type: 'http.response.body', body: decoder.decode(message.body).toUpperCase(), moreBody: true })
      }
      if (!message.moreBody) break
    }
    await send({ type: 'http.response.body', body: 'END', moreBody: false })
  }
  const { url, close } = await listen(fromFetch(toFetchHandler(echo)))
  try {
    let push!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        push = c
      },
    })
    push.enqueue(encoder.encode('ping'))
    const response = await fetch(`${url}/echo`, { method: 'POST', body, duplex: 'half' } as RequestInit)
    const reader = response.body!.getReader()
    // The first echo comes back while the request is still open: no side buffered a whole body.
    assert.equal(decoder.decode((await reader.read()).value), 'PING')
    push.enqueue(encoder.encode('pong'))
    assert.equal(decoder.decode((await reader.read()).value), 'PONG')
    push.close()
    let rest = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      rest += decoder.decode(value)
    }
    assert.equal(rest, 'END')
  } finally {
    await close()
  }
})

test('the head of a stream with nothing to say yet reaches the client before its first chunk', { timeout: 5000 }, async () => {
  const first = deferred()
  const app = fromFetch(() => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        await first.promise
        controller.enqueue(encoder.encode('data: late\n\n'))
        controller.close()
      },
    })
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  })
  const { url, close } = await listen(app)
  try {
    // fetch() resolves with the head while the body is still waiting for its first event.
    const response = await fetch(`${url}/events`)
    assert.equal(response.status, 200)
    first.resolve()
    assert.equal(await response.text(), 'data: late\n\n')
  } finally {
    await close()
  }
})
