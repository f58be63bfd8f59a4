// A throwaway self-signed certificate for the TLS tests, made by the machine's `openssl` in a
// fresh temp folder (node:crypto makes keys but not X.509 certificates). It names localhost and
// 127.0.0.1, so a client that is given it as its only CA checks the server's identity for real
// instead of turning verification off. The folder is removed when the test process exits.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Certificate {
  /** PEM private key (unencrypted unless a passphrase was asked for). */
  readonly key: string
  /** PEM certificate; also the CA a client trusts, since it signs itself. */
  readonly cert: string
  readonly keyFile: string
  readonly certFile: string
  /** The certificate's subject common name, to tell two certificates apart in a test. */
  readonly commonName: string
}

const folders = new Set<string>()
process.once('exit', () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

/**
 * Makes a new key and a self-signed certificate for localhost and 127.0.0.1, valid for a day.
 * Each call makes a distinct certificate (its own key, serial and common name), so a rotation
 * test can tell which one a server presents.
 */
export function makeCertificate(options: { commonName?: string; passphrase?: string; dir?: string } = {}): Certificate {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tsgi-tls-'))
  if (options.dir === undefined) folders.add(dir)
  const commonName = options.commonName ?? `localhost-${process.pid}-${Date.now().toString(36)}`
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  const keyArgs = options.passphrase === undefined ? ['-noenc'] : ['-passout', `pass:${options.passphrase}`]
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      ...keyArgs,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
    keyFile,
    certFile,
    commonName,
  }
}
