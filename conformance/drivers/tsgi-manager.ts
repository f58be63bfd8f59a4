// The P and C harness: a LifespanManager drives the app tree, the way a server (or an
// embedder, or a test) does; requests call the app directly with an HTTP scope, no socket.

import { LifespanManager, TSGI_VERSION, type App, type HttpScope, type ReceiveMessage, type SendMessage } from '../../src/index.ts'
import { buildTopApp } from '../apps/build.ts'
import { memoryTrace } from '../apps/trace.ts'
import type { Scenario } from '../scenarios/types.ts'
import { captureLogger, outcomeOf } from './in-process.ts'
import type { HttpRequestSpec, HttpResult, Session } from './types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Calls the app once with a plain HTTP scope and collects its response. */
export async function callDirect(app: App, spec: HttpRequestSpec, state: Record<string, unknown>): Promise<HttpResult> {
  const [rawPath = '/', queryString = ''] = spec.path.split('?', 2)
  const headers: Array<[string, string]> = []
  for (const [key, value] of Object.entries(spec.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push([key.toLowerCase(), one])
  }
  const scope: HttpScope = {
    type: 'http',
    tsgi: { version: TSGI_VERSION },
    httpVersion: '1.1',
    method: spec.method,
    scheme: 'http',
    path: decodeURIComponent(rawPath),
    rawPath,
    queryString,
    rootPath: '',
    headers,
    client: ['127.0.0.1', 1],
    server: ['127.0.0.1', 80],
    state: { ...state },
  }
  const chunks = (spec.body ?? ['']).map((part) => encoder.encode(part))
  let done!: () => void
  const responded = new Promise<void>((resolve) => (done = resolve))
  const receive = async (): Promise<ReceiveMessage> => {
    const body = chunks.shift()
    if (body !== undefined) return { type: 'http.request', body, moreBody: chunks.length > 0 }
    await responded
    return { type: 'http.disconnect' }
  }
  let status = 0
  let responseHeaders: Array<[string, string]> = []
  const parts: string[] = []
  const send = async (message: SendMessage): Promise<void> => {
    if (message.type === 'http.response.start') {
      status = message.status
      responseHeaders = message.headers ?? []
    } else if (message.type === 'http.response.body') {
      const body = message.body ?? ''
      parts.push(typeof body === 'string' ? body : decoder.decode(body))
      if (message.moreBody !== true) done()
    }
  }
  try {
    await app(scope, receive, send)
  } catch (error) {
    return { ok: false, failure: 'reset', message: error instanceof Error ? error.message : String(error) }
  } finally {
    done()
  }
  return { ok: true, status, headers: responseHeaders, body: parts.join('') }
}

export function managerSession(scenario: Scenario): Session {
  const { record, events } = memoryTrace()
  const { logger, lines } = captureLogger()
  const app = buildTopApp(scenario.setup.app, record)
  const server = scenario.setup.server
  const manager = new LifespanManager(app, {
    state: {},
    logger,
    ...(server?.startupTimeoutMs !== undefined ? { startupTimeoutMs: server.startupTimeoutMs } : {}),
    ...(server?.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: server.shutdownTimeoutMs } : {}),
  })
  return {
    boot: () => outcomeOf(() => manager.startup()),
    stop: () => outcomeOf(() => manager.shutdown()),
    request: (spec) => callDirect(app, spec, manager.state),
    trace: () => events,
    async finish() {
      const observed = { trace: [...events], log: lines.join('\n'), manager: { supported: manager.supported, state: { ...manager.state } } }
      // Whatever the scenario left running is stopped, outside the observed trace.
      void manager.shutdown().catch(() => undefined)
      return observed
    },
  }
}
