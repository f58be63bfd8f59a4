// The HTTP endpoint vocabulary every scenario app answers (conformance/README.md), for the
// Node peers: what to answer is decided here once; how it is sent is each framework's own
// idiom (a Fastify reply, an Express response, a Hono Response). The body arrives whole, the
// way the framework's body parser hands it over, so it is one message.

import { sleep } from '../../apps/steps.ts'
import type { Recorder } from '../../apps/trace.ts'
import type { State } from './work.ts'

/** A request as the framework shows it to a handler. */
export interface Exchange {
  method: string
  /** The path as the framework gives it to the handler (relative to the mount where it can). */
  path: string
  rootPath: string
  rawPath: string
  queryString: string
  /** Every value of a request header, as the framework's header accessor returns them. */
  header(name: string): string[]
  /** The whole body, read by the framework's body parser. */
  body(): Promise<Uint8Array>
  /** Resolves when the client went away before the response. */
  disconnected(): Promise<void>
  state: State
}

export type Answer =
  | { kind: 'json'; status: number; body: string; headers: Array<[string, string]> }
  | { kind: 'stream'; chunk: Uint8Array; chunks: number; done: () => void }
  /** Raise in the handler before anything was sent. */
  | { kind: 'throw'; error: Error }
  /** Start a response, send part of the body, then fail. */
  | { kind: 'partial-then-throw'; error: Error }
  /** Return from the handler without responding. */
  | { kind: 'nothing' }

const decoder = new TextDecoder()

function stateJson(state: State): State {
  return JSON.parse(JSON.stringify(state, (_key, value: unknown) => (typeof value === 'function' ? undefined : value))) as State
}

function json(status: number, value: unknown, headers: Array<[string, string]> = []): Answer {
  return { kind: 'json', status, body: JSON.stringify(value), headers: [['content-type', 'application/json'], ...headers] }
}

export async function answer(name: string, exchange: Exchange, record: Recorder): Promise<Answer> {
  const query = new URLSearchParams(exchange.queryString)
  const verb = query.get('do') ?? 'echo'
  record(`${name}.request`, `${exchange.method} ${exchange.path}`)
  if (query.has('delay')) await sleep(Number(query.get('delay')))
  const responded = (result: Answer): Answer => {
    record(`${name}.response`)
    return result
  }
  switch (verb) {
    case 'throw-before-start':
      record(`${name}.throw`)
      return { kind: 'throw', error: new Error('secret-token-123 exploded before the response started') }
    case 'throw-after-start':
      record(`${name}.throw`)
      return { kind: 'partial-then-throw', error: new Error('exploded after the response started') }
    case 'no-response':
      record(`${name}.return`)
      return { kind: 'nothing' }
    case 'await-disconnect':
      await exchange.disconnected()
      record(`${name}.disconnect`)
      return { kind: 'nothing' }
    case 'read-body': {
      const body = await exchange.body()
      return responded(json(200, { app: name, messages: [{ bytes: body.byteLength, more: false }], body: decoder.decode(body) }))
    }
    case 'stream': {
      const size = Number(query.get('size') ?? '1024')
      return {
        kind: 'stream',
        chunk: new Uint8Array(size).fill(120),
        chunks: Number(query.get('chunks') ?? '1'),
        done: () => record(`${name}.body.sent`),
      }
    }
    case 'cookies':
      return responded(
        json(200, { app: name, rep: exchange.header('x-rep') }, [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ]),
      )
    case 'set-state':
      exchange.state[query.get('key') ?? 'key'] = query.get('value') ?? ''
      break
    case 'mutate-state': {
      const target = exchange.state[query.get('key') ?? 'key']
      if (target !== null && typeof target === 'object') (target as State)[query.get('field') ?? 'field'] = query.get('value') ?? ''
      break
    }
  }
  const body = await exchange.body()
  return responded(
    json(Number(query.get('status') ?? '200'), {
      app: name,
      method: exchange.method,
      path: exchange.path,
      rootPath: exchange.rootPath,
      rawPath: exchange.rawPath,
      queryString: exchange.queryString,
      state: stateJson(exchange.state),
      body: decoder.decode(body),
    }),
  )
}

/** The query string of a request target, without the '?'. */
export function queryOf(url: string): string {
  const at = url.indexOf('?')
  return at === -1 ? '' : url.slice(at + 1)
}

/** The path of a request target, as received. */
export function rawPathOf(url: string): string {
  const at = url.indexOf('?')
  return at === -1 ? url : url.slice(0, at)
}
