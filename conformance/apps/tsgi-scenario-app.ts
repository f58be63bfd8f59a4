// The scenario app for tsgi as a process: the tree and options a scenario describes, under
// serve() with its defaults (signals on, console logger). The runner starts it with the
// contract's environment (conformance/README.md): TSGI_SCENARIO_SETUP, TSGI_TRACE, PORT, and
// over HTTP/2 TSGI_HTTP2 with, under TLS, TSGI_TLS_KEY_FILE and TSGI_TLS_CERT_FILE.

import { serve } from '../../src/index.ts'
import type { Setup } from '../scenarios/types.ts'
import { buildServeOptions, buildTopApp } from './build.ts'
import { fileTrace } from './trace.ts'

const setup = JSON.parse(process.env.TSGI_SCENARIO_SETUP ?? '{"app":{"kind":"app","name":"app"}}') as Setup
const record = process.env.TSGI_TRACE === undefined ? () => {} : fileTrace(process.env.TSGI_TRACE)
const spec = setup.server
const keyFile = process.env.TSGI_TLS_KEY_FILE
const certFile = process.env.TSGI_TLS_CERT_FILE
const overHttp2 = {
  ...(keyFile !== undefined && certFile !== undefined ? { tls: { keyFile, certFile } } : {}),
  ...(process.env.TSGI_HTTP2 === '1' ? { http2: true } : {}),
}

try {
  await serve(buildTopApp(setup.app, record), {
    ...buildServeOptions(spec, record),
    ...(spec?.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
    port: Number(process.env.PORT ?? 3000),
    host: '127.0.0.1',
    ...overHttp2,
  })
} catch (error) {
  // What an entry point does with a failed start: say why, and exit non-zero once idle.
  const cause = (error as { cause?: { code?: unknown } }).cause
  const code = typeof cause?.code === 'string' ? ` (cause: ${cause.code})` : ''
  console.error(`scenario app: serve() rejected: ${error instanceof Error ? error.message : String(error)}${code}`)
  process.exitCode = 1
}
