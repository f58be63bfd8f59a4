// serve() with `tls`: HTTPS/1.1 with the key given inline or as files (read at startup, a missing
// or unusable one failing serve() with a TlsFileError naming it), every option checked, wss on
// the same port (HTTP/1.1 and the h2 port alike), the drain over TLS sockets, and the per-client
// cap counting HTTP/2 sessions. The client trusts the throwaway certificate as its only CA.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https'
import { connect as h2Connect } from 'node:http2'
import { join } from 'node:path'
import { test } from 'node:test'

import { agent } from '../src/agent/agent.ts'
import { InvalidArgumentError, TlsFileError, serve, type App, type ServeOptions } from '../src/index.ts'
import { makeCertificate } from './support/certificate.ts'
import { openSession, request } from './support/http2.ts'
import { scratchDir, sleep } from './support/observe.ts'
import { nextMessage, openWs, wsUrl } from './support/websocket.ts'

const certificate = makeCertificate()
const tls = { key: certificate.key, cert: certificate.cert }

/** Answers the scope's version and scheme; `/slow` takes 300 ms over its body. */
const app: App = async (scope, _receive, send) => {
  if (scope.type === 'websocket') {
    await send({ type: 'websocket.accept' })
    await send({ type: 'websocket.send', text: `${scope.scheme} ${scope.httpVersion}` })
    return
  }
  if (scope.type !== 'http') return
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] })
  if (scope.path === '/slow') {
    await send({ type: 'http.response.body', body: 'slow ', moreBody: true })
    await sleep(300)
  }
  await send({ type: 'http.response.body', body: `${scope.scheme} ${scope.httpVersion}` })
}

function get(url: string, options: { agent?: HttpsAgent | false; ca?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: options.ca ?? certificate.cert, agent: options.agent ?? false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('tls alone serves HTTPS/1.1: server.url is https://, scopes say https and 1.1', async () => {
  const server = await serve(app, { port: 0, logger: false, signals: false, tls })
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.deepEqual(await get(`${server.url}/`), { status: 200, body: 'https 1.1' })
  } finally {
    await server.close()
  }
})

test('keyFile and certFile with a passphrase-protected key are read at startup', async () => {
  const locked = makeCertificate({ passphrase: 'open sesame' })
  const server = await serve(app, {
    port: 0,
    logger: false,
    signals: false,
    tls: { keyFile: locked.keyFile, certFile: locked.certFile, passphrase: 'open sesame' },
  })
  try {
    assert.deepEqual(await get(`${server.url}/`, { ca: locked.cert }), { status: 200, body: 'https 1.1' })
  } finally {
    await server.close()
  }
})

test('a missing key file fails serve() with a TlsFileError naming the file, and nothing listens', async () => {
  const missing = join(scratchDir('tsgi-tls-missing-'), 'nope.pem')
  const started: string[] = []
  const error = await serve(app, {
    port: 0,
    logger: false,
    signals: false,
    tls: { keyFile: missing, certFile: certificate.certFile },
    onStartup: [() => void started.push('startup')],
  }).then(
    () => assert.fail('serve() resolved'),
    (e: unknown) => e,
  )
  assert.ok(error instanceof TlsFileError, String(error))
  assert.equal(error.code, 'TSGI_ERR_TLS_FILE')
  assert.equal(error.file, missing)
  assert.match(error.message, /tls\.keyFile '.*nope\.pem' could not be read \(ENOENT\)/)
  assert.deepEqual(started, [])
})

test('a certificate file that is not PEM fails serve() with a TlsFileError naming the files, never their text', async () => {
  const dir = scratchDir('tsgi-tls-bad-')
  const garbage = join(dir, 'cert.pem')
  writeFileSync(garbage, 'not a certificate at all\n')
  const error = await serve(app, { port: 0, logger: false, signals: false, tls: { keyFile: certificate.keyFile, certFile: garbage } }).then(
    () => assert.fail('serve() resolved'),
    (e: unknown) => e,
  )
  assert.ok(error instanceof TlsFileError, String(error))
  assert.match(error.message, /tls\.certFile '.*cert\.pem'/)
  assert.doesNotMatch(error.message, /BEGIN|not a certificate/)
})

test('every tls and http2 option is checked, with a sentence naming it (unknown names refused, the closest one suggested)', async () => {
  const cases: Array<[ServeOptions, RegExp]> = [
    [
      { tls: { key: certificate.key, cert: certificate.cert, passhrase: 'x' } as never },
      /serve\(\) has no option 'tls\.passhrase'; did you mean 'tls\.passphrase'\?/,
    ],
    [{ tls: { keyFile: 'k.pem', certFlie: 'c.pem' } as never }, /serve\(\) has no option 'tls\.certFlie'; did you mean 'tls\.certFile'\?/],
    [{ tls: { key: certificate.key } as never }, /tls\.cert must be PEM text or a Buffer, got undefined/],
    [{ tls: { key: 42, cert: certificate.cert } as never }, /tls\.key must be PEM text or a Buffer, got 42/],
    [{ tls: { key: certificate.key, cert: certificate.cert, ca: [] } }, /tls\.ca must be PEM text, a Buffer or a non-empty array/],
    [{ tls: { keyFile: '', certFile: 'c.pem' } }, /tls\.keyFile must be a file path, got ''/],
    [{ tls: { keyFile: 'k.pem', certFile: 'c.pem', passphrase: 7 } as never }, /tls\.passphrase must be a string, got 7/],
    [{ tls: 'cert.pem' as never }, /tls must be \{ key, cert \} or \{ keyFile, certFile \}, got 'cert.pem'/],
    [{ http2: 'yes' as never }, /http2 must be true or false, got 'yes'/],
    [{ maxConcurrentStreams: 0 }, /maxConcurrentStreams must be an integer from 1 to 4294967295, got 0/],
    [{ http2: true, maxConcurrentStream: 10 } as never, /has no option 'maxConcurrentStream'; did you mean 'maxConcurrentStreams'\?/],
  ]
  await Promise.all(
    cases.map(async ([options, message]) => {
      await assert.rejects(serve(app, { port: 0, logger: false, ...options }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, String(error))
        assert.match(error.message, message)
        // A key's text never shows in a message.
        assert.doesNotMatch(error.message, /BEGIN/)
        return true
      })
    }),
  )
})

test('agent() takes tls and http2 as serve() does, and checks them the same way', async () => {
  await assert.rejects(
    agent({
      transport: 'a2a',
      a2a: { card: { name: 'x', description: 'y' }, executor: { execute: async () => undefined, cancelTask: async () => undefined } },
      tls: { keyFile: 3 } as never,
    }),
    /tls\.keyFile must be a file path, got 3/,
  )
  await assert.rejects(
    agent({ transport: 'mcp', mcp: { server: () => null as never }, http2: 1 as never }),
    /http2 must be true or false, got 1/,
  )
})

test('wss: a websocket over TLS says scheme wss, on an HTTPS/1.1 port and on the h2 port (over HTTP/1.1)', async () => {
  for (const http2 of [false, true]) {
    const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2 })
    try {
      const client = await openWs(wsUrl(server.url, '/ws'), [], { ca: certificate.cert })
      assert.equal(String(await nextMessage(client)), 'wss 1.1')
      client.close()
      await once(client, 'close')
    } finally {
      await server.close()
    }
  }
})

test('the drain over TLS: an idle keep-alive socket closes at once, a response in flight finishes', async () => {
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, drainTimeoutMs: 5_000 })
  const keepAlive = new HttpsAgent({ keepAlive: true, ca: certificate.cert })
  try {
    assert.equal((await get(`${server.url}/`, { agent: keepAlive })).body, 'https 1.1')
    const idle = Object.values(keepAlive.freeSockets).flat()[0]!
    const idleClosed = once(idle, 'close')
    const slow = get(`${server.url}/slow`)
    await sleep(50)
    const closing = server.close()
    await idleClosed
    assert.deepEqual(await slow, { status: 200, body: 'slow https 1.1' })
    await closing
  } finally {
    keepAlive.destroy()
  }
})

test('HTTP/2 sessions count as connections: past maxConnectionsPerClient a new session is closed at once', async () => {
  const server = await serve(app, { port: 0, logger: false, signals: false, tls, http2: true, maxConnectionsPerClient: 2 })
  try {
    const first = await openSession(server.url, certificate.cert)
    const second = await openSession(server.url, certificate.cert)
    const third = h2Connect(server.url, { ca: certificate.cert })
    const refused = new Promise<string>((resolve) => third.once('error', (error: Error) => resolve(error.message)))
    await new Promise((resolve) => third.once('close', resolve))
    assert.match(await refused, /disconnected before secure TLS connection was established/)
    for (const session of [first, second]) assert.equal((await request(session, { ':path': '/' })).body, 'https 2')
    first.close()
    second.close()
  } finally {
    await server.close()
  }
})
