// A streaming A2A call (SendStreamingMessage, SubscribeToTask) as SSE: each event the SDK yields
// is one frame; a client that leaves stops the tasks it started (nobody would read them), and
// shutdown ends the stream, recorded in `deps.streams` so the app can wait for it.

import type { ServerCallContext } from '@a2a-js/sdk/server'
import { answerUnavailable, envelope } from './rpc-errors.ts'
import type { OpenStream, RpcDeps, RpcEnvelope } from './rpc.ts'
import type { Receive, Send } from '../protocol/types.ts'
import { sendJson } from '../sdk/http.ts'

const encoder = new TextEncoder()
const SSE_HEADERS: Array<[string, string]> = [
  ['content-type', 'text/event-stream'],
  ['cache-control', 'no-cache'],
  ['x-accel-buffering', 'no'],
]

/** What ended a stream early: the client left, or the app is shutting down. */
type Interrupt = { why: 'disconnect' | 'shutdown' }

export interface StreamCall {
  id: unknown
  step: string
  context: ServerCallContext
}

export async function stream(
  events: AsyncGenerator<RpcEnvelope, void, undefined>,
  call: StreamCall,
  receive: Receive,
  send: Send,
  deps: RpcDeps,
  extra: Array<[string, string]>,
): Promise<void> {
  const controller = new AbortController()
  let markEnded!: () => void
  const open: OpenStream = { controller, ended: new Promise((resolve) => (markEnded = resolve)) }
  deps.streams.add(open)
  const interrupted = new Promise<Interrupt>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve({ why: 'shutdown' }), { once: true })
    void untilDisconnect(receive).then(() => resolve({ why: 'disconnect' }))
  })
  let started = false
  try {
    for (;;) {
      const next = await Promise.race([
        events.next().then(
          (r) => ({ r }),
          (error: unknown) => ({ error }),
        ),
        interrupted,
      ])
      if ('why' in next) {
        if (next.why === 'disconnect') {
          // Nobody will read what the tasks produce: stop the work, not just the writing.
          for (const taskId of deps.tasks.startedBy(call.context)) void deps.tasks.cancel(taskId).catch(() => undefined)
        }
        // The generator is parked at an await; return() takes effect when that settles.
        void events.return(undefined).catch(() => undefined)
        // To a client that left this writes nothing; it just closes the exchange.
        return finish(send, started, extra)
      }
      if ('error' in next) {
        if (!started) {
          const unavailable = answerUnavailable(send, call.id, next.error, call.step, deps)
          if (unavailable !== null) return unavailable
        }
        const failure = envelope(call.id, next.error, call.step, deps)
        if (!started) return sendJson(send, 200, failure, extra)
        await send({
          type: 'http.response.body',
          body: encoder.encode(`event: error\ndata: ${JSON.stringify(failure)}\n\n`),
          moreBody: true,
        })
        return finish(send, true, extra)
      }
      if (next.r.done === true) return finish(send, started, extra)
      if (!started) {
        await send({ type: 'http.response.start', status: 200, headers: [...SSE_HEADERS, ...extra] })
        started = true
      }
      await send({ type: 'http.response.body', body: encoder.encode(`data: ${JSON.stringify(next.r.value)}\n\n`), moreBody: true })
    }
  } finally {
    deps.streams.delete(open)
    markEnded()
  }
}

/** Ends the response: the last SSE frame, or an empty stream if no event came. */
async function finish(send: Send, started: boolean, extra: Array<[string, string]>): Promise<void> {
  if (!started) await send({ type: 'http.response.start', status: 200, headers: [...SSE_HEADERS, ...extra] })
  await send({ type: 'http.response.body', moreBody: false })
}

async function untilDisconnect(receive: Receive): Promise<void> {
  for (;;) {
    const message = await receive()
    if (message.type === 'http.disconnect') return
  }
}
