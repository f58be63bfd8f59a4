// TLS and HTTP/2 in a real process: the connection-specific headers an app sets are dropped
// from h2 answers without node printing a warning, and SIGHUP swaps in a certificate renewed on
// disk for new connections while an open one goes on.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'

import { makeCertificate } from './support/certificate.ts'
import { openSession, request } from './support/http2.ts'
import { freePort, scratchDir, sleep } from './support/observe.ts'
import { startFixture, waitForEvent } from './support/process.ts'

const fixture = join(import.meta.dirname, 'fixtures', 'tls-process.ts')

/** The certificate a new TLS connection is shown: its subject's common name. */
async function presented(port: number, ca: string[]): Promise<string> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'] })
  await once(socket, 'secureConnect')
  const name = socket.getPeerCertificate().subject.CN
  socket.destroy()
  return String(name)
}

test('an h2 answer drops the Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding and Upgrade headers the app set, and node prints no warning', async () => {
  const certificate = makeCertificate()
  const running = startFixture(fixture, { TLS_KEY_FILE: certificate.keyFile, TLS_CERT_FILE: certificate.certFile }, await freePort())
  try {
    await waitForEvent(running, 'listening')
    const url = `https://127.0.0.1:${running.port}`
    const session = await openSession(url, certificate.cert)
    const answer = await request(session, { ':path': '/events' })
    assert.equal(answer.status, 200)
    assert.equal(answer.headers['x-version'], '2')
    assert.equal(answer.body, 'data: /events\n\n')
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
      assert.equal(answer.headers[name], undefined, name)
    }
    // The bridge's own answers too: a body past maxBodyBytes gets 413, without `Connection: close`.
    const refused = await request(session, { ':method': 'POST', ':path': '/upload' }, 'x'.repeat(64))
    assert.equal(refused.status, 413)
    assert.equal(refused.headers.connection, undefined)
    session.close()
    running.child.kill('SIGTERM')
    assert.equal(await running.exit, 0)
    assert.doesNotMatch(running.stderr(), /Warning/, running.stderr())
  } finally {
    running.child.kill('SIGKILL')
  }
})

test('SIGHUP re-reads the certificate files: a new connection gets the renewed certificate while an open h2 session keeps working', async () => {
  const dir = scratchDir('tsgi-rotate-')
  const first = makeCertificate({ dir: scratchDir('tsgi-cert-a-') })
  const second = makeCertificate({ dir: scratchDir('tsgi-cert-b-') })
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  copyFileSync(first.keyFile, keyFile)
  copyFileSync(first.certFile, certFile)
  const running = startFixture(fixture, { TLS_KEY_FILE: keyFile, TLS_CERT_FILE: certFile }, await freePort())
  try {
    await waitForEvent(running, 'listening')
    const url = `https://127.0.0.1:${running.port}`
    const ca = [first.cert, second.cert]
    assert.equal(await presented(running.port, ca), first.commonName)
    const old = await openSession(url, first.cert)
    assert.equal((await request(old, { ':path': '/before' })).status, 200)

    copyFileSync(second.keyFile, keyFile)
    copyFileSync(second.certFile, certFile)
    running.child.kill('SIGHUP')
    const deadline = Date.now() + 5_000
    let name = await presented(running.port, ca)
    while (name !== second.commonName && Date.now() < deadline) {
      await sleep(50)
      name = await presented(running.port, ca)
    }
    assert.equal(name, second.commonName, 'the renewed certificate is presented to a new connection')
    const after = await request(old, { ':path': '/after' })
    assert.equal(after.status, 200)
    assert.equal(after.body, 'data: /after\n\n')
    assert.equal(running.child.exitCode, null, 'SIGHUP did not stop the process')

    // A renewal that went wrong (a truncated file) is logged; the pair in use stays.
    writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\ntruncated\n')
    running.child.kill('SIGHUP')
    const logged = Date.now() + 5_000
    while (!/kept as they were/.test(running.stderr()) && Date.now() < logged) await sleep(50)
    assert.match(running.stderr(), /SIGHUP received, but the TLS files were kept as they were: .*tls\.certFile '.*cert\.pem'/)
    assert.doesNotMatch(running.stderr(), /truncated/)
    assert.equal(await presented(running.port, ca), second.commonName)
    old.close()
    running.child.kill('SIGTERM')
    assert.equal(await running.exit, 0)
    assert.match(running.stdout(), /read again/)
  } finally {
    running.child.kill('SIGKILL')
  }
})
