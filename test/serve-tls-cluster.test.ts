// Cluster workers share the TLS + h2 listener as they share a plain one, and SIGHUP to the
// primary (its rolling reload) brings in workers that read a renewed certificate from disk.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'

import { makeCertificate } from './support/certificate.ts'
import { readyUrl, startMachine } from './support/cluster.ts'
import { openSession, request } from './support/http2.ts'
import { scratchDir, sleep } from './support/observe.ts'

async function presented(url: string, ca: string[]): Promise<string> {
  const { port } = new URL(url)
  const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca, ALPNProtocols: ['h2'] })
  await once(socket, 'secureConnect')
  const name = String(socket.getPeerCertificate().subject.CN)
  socket.destroy()
  return name
}

test('two workers answer h2 over TLS on the shared port, and after SIGHUP the new workers present the renewed certificate', async () => {
  const dir = scratchDir('tsgi-cluster-tls-')
  const first = makeCertificate({ dir: scratchDir('tsgi-cert-a-') })
  const second = makeCertificate({ dir: scratchDir('tsgi-cert-b-') })
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  copyFileSync(first.keyFile, keyFile)
  copyFileSync(first.certFile, certFile)
  const machine = startMachine({ OPTIONS: JSON.stringify({ tls: { keyFile, certFile }, http2: true, reloadGraceMs: 100 }) })
  try {
    const url = await readyUrl(machine)
    assert.match(url, /^https:\/\//)
    // Each request on a session of its own: node:cluster spreads connections over the workers.
    const pids = new Set<number>()
    for (let i = 0; i < 12 && pids.size < 2; i++) {
      const session = await openSession(url, first.cert)
      const answer = await request(session, { ':path': '/' })
      assert.equal(answer.status, 200)
      pids.add((JSON.parse(answer.body) as { pid: number }).pid)
      session.close()
    }
    assert.equal(pids.size, 2, 'both workers answered')
    assert.equal(await presented(url, [first.cert]), first.commonName)

    copyFileSync(second.keyFile, keyFile)
    copyFileSync(second.certFile, certFile)
    machine.child.kill('SIGHUP')
    const deadline = Date.now() + 20_000
    while (!/reload done/.test(machine.stdout()) && Date.now() < deadline) await sleep(50)
    assert.match(machine.stdout(), /reload done; every worker is new/, machine.stderr())
    assert.equal(await presented(url, [first.cert, second.cert]), second.commonName)
    const session = await openSession(url, second.cert)
    assert.equal((await request(session, { ':path': '/' })).status, 200)
    session.close()
    machine.child.kill('SIGTERM')
    assert.equal(await machine.exit, 0)
  } finally {
    machine.destroy()
  }
})
