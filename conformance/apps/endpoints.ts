// The HTTP endpoint vocabulary every scenario app answers (documented in conformance/README.md).
// The behaviour is picked by the query string, on any path, so a scenario's requests say what
// they test and any mount can answer them.

import type { HttpScope, Receive, Send } from '../../src/index.ts'
import { sleep } from './steps.ts'
import type { Recorder } from './trace.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** JSON of the request's state, keeping only what JSON can show. */
function stateJson(state: Record<string, unknown> | undefined): Record<string, unknown> {
  const shown: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(state ?? {})) {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') continue
    shown[key] = value
  }
  return JSON.parse(JSON.stringify(shown)) as Record<string, unknown>
}

interface BodyMessage {
  bytes: number
  more: boolean
}

async function readBody(receive: Receive): Promise<{ text: string; messages: BodyMessage[]; disconnected: boolean }> {
  const messages: BodyMessage[] = []
  const parts: string[] = []
  for (;;) {
    const message = await receive()
    if (message.type === 'http.disconnect') return { text: parts.join(''), messages, disconnected: true }
    if (message.type !== 'http.request') continue
    messages.push({ bytes: message.body.byteLength, more: message.moreBody })
    parts.push(decoder.decode(message.body))
    if (!message.moreBody) return { text: parts.join(''), messages, disconnected: false }
  }
}

async function respond(send: Send, status: number, body: string, headers: Array<[string, string]> = []): Promise<void> {
  const bytes = encoder.encode(body)
  // 204 and 304 carry no body by definition; the app still sends one, which the server must drop.
  const length: Array<[string, string]> = status === 204 || status === 304 ? [] : [['content-length', String(bytes.byteLength)]]
  await send({ type: 'http.response.start', status, headers: [['content-type', 'application/json'], ...length, ...headers] })
  await send({ type: 'http.response.body', body: bytes })
}

/** Resolves with why a held stream ends: the server drains, the client leaves, or `maxMs` passed. */
function streamEnd(receive: Receive, draining: AbortSignal | undefined, maxMs: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), maxMs)
    const done = (why: string) => {
      clearTimeout(timer)
      resolve(why)
    }
    if (draining?.aborted) done('draining')
    draining?.addEventListener('abort', () => done('draining'), { once: true })
    void readBody(receive).then(async (body) => {
      if (body.disconnected || (await receive()).type === 'http.disconnect') done('disconnect')
    })
  })
}

export async function handleHttp(
  name: string,
  scope: HttpScope,
  receive: Receive,
  send: Send,
  record: Recorder,
  draining?: AbortSignal,
): Promise<void> {
  const query = new URLSearchParams(scope.queryString)
  const verb = query.get('do') ?? 'echo'
  record(`${name}.request`, `${scope.method} ${scope.path}`)
  if (query.has('delay')) await sleep(Number(query.get('delay')))

  switch (verb) {
    case 'throw-before-start':
      record(`${name}.throw`)
      throw new Error('secret-token-123 exploded before the response started')
    case 'throw-after-start':
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
      await send({ type: 'http.response.body', body: 'partial', moreBody: true })
      record(`${name}.throw`)
      throw new Error('exploded after the response started')
    case 'no-response':
      record(`${name}.return`)
      return
    case 'await-disconnect': {
      const body = await readBody(receive)
      if (!body.disconnected) {
        const next = await receive()
        if (next.type === 'http.disconnect') record(`${name}.disconnect`)
      } else {
        record(`${name}.disconnect`)
      }
      return
    }
    case 'read-body': {
      const body = await readBody(receive)
      await respond(send, 200, JSON.stringify({ app: name, messages: body.messages, body: body.text }))
      record(`${name}.response`)
      return
    }
    case 'stream': {
      const chunks = Number(query.get('chunks') ?? '1')
      const size = Number(query.get('size') ?? '1024')
      const chunk = new Uint8Array(size).fill(120)
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [
          ['content-type', 'application/octet-stream'],
          ['content-length', String(chunks * size)],
        ],
      })
      for (let i = 0; i < chunks; i++) await send({ type: 'http.response.body', body: chunk, moreBody: i < chunks - 1 })
      record(`${name}.body.sent`)
      return
    }
    case 'hold': {
      // A long-lived response (an event stream): open, then held until the server drains.
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
      await send({ type: 'http.response.body', body: 'data: open\n\n', moreBody: true })
      record(`${name}.stream.open`)
      const why = await streamEnd(receive, draining, Number(query.get('ms') ?? '3000'))
      record(`${name}.stream.end`, why)
      await send({ type: 'http.response.body', body: 'data: end\n\n' })
      return
    }
    case 'cookies': {
      const repeated = scope.headers.filter(([key]) => key === 'x-rep').map(([, value]) => value)
      await respond(send, 200, JSON.stringify({ app: name, rep: repeated }), [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ])
      record(`${name}.response`)
      return
    }
    case 'set-state':
      scope.state[query.get('key') ?? 'key'] = query.get('value') ?? ''
      break
    case 'mutate-state': {
      const target = scope.state[query.get('key') ?? 'key']
      if (target !== null && typeof target === 'object')
        (target as Record<string, unknown>)[query.get('field') ?? 'field'] = query.get('value') ?? ''
      break
    }
  }

  const body = await readBody(receive)
  const status = Number(query.get('status') ?? '200')
  const json = JSON.stringify({
    app: name,
    method: scope.method,
    path: scope.path,
    rootPath: scope.rootPath,
    rawPath: scope.rawPath,
    queryString: scope.queryString,
    httpVersion: scope.httpVersion,
    scheme: scope.scheme,
    state: stateJson(scope.state),
    body: body.text,
  })
  await respond(send, status, json)
  record(`${name}.response`)
}
