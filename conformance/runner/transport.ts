// Which protocol the runner's client speaks to the server under test. HTTP/1.1 (`h1`) is the
// default; `h2` is HTTP/2 over TLS (ALPN h2), `h2c` HTTP/2 in cleartext with prior knowledge
// (RFC 9113 §3.3: no upgrade dance, the client starts with the connection preface).

import { readFileSync } from 'node:fs'

export const transportNames = ['h1', 'h2', 'h2c'] as const
export type TransportName = (typeof transportNames)[number]

/** The certificate and key a named server is started with, and what the client trusts. */
export interface TlsFiles {
  keyFile: string
  certFile: string
  /** PEM the client trusts; a self-signed certificate is its own CA. */
  ca: string
}

export type Transport = { name: 'h1' } | { name: 'h2c' } | { name: 'h2'; tls: TlsFiles }

export const http1: Transport = { name: 'h1' }

export class TransportError extends Error {
  override readonly name = 'TransportError'
}

export interface TransportChoice {
  transport?: string | undefined
  tlsKey?: string | undefined
  tlsCert?: string | undefined
  tlsCa?: string | undefined
}

function pem(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new TransportError(`${option}: cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/** Reads the command line's transport choice; an unknown name or a missing certificate is refused. */
export function parseTransport(choice: TransportChoice): Transport {
  const name = choice.transport ?? 'h1'
  if (!(transportNames as readonly string[]).includes(name))
    throw new TransportError(`--transport: unknown transport '${name}' (known: ${transportNames.join(', ')})`)
  const tlsGiven = [choice.tlsKey, choice.tlsCert, choice.tlsCa].some((v) => v !== undefined)
  if (name !== 'h2') {
    if (tlsGiven) throw new TransportError(`--tls-key, --tls-cert and --tls-ca go with --transport h2, not ${name}`)
    return name === 'h2c' ? { name: 'h2c' } : http1
  }
  if (choice.tlsKey === undefined || choice.tlsCert === undefined)
    throw new TransportError('--transport h2 needs --tls-key and --tls-cert (the files the server under test is started with)')
  pem(choice.tlsKey, '--tls-key')
  const cert = pem(choice.tlsCert, '--tls-cert')
  const ca = choice.tlsCa === undefined ? cert : pem(choice.tlsCa, '--tls-ca')
  return { name: 'h2', tls: { keyFile: choice.tlsKey, certFile: choice.tlsCert, ca } }
}

/** What the scope's `httpVersion` and `scheme` must say over this transport. */
export function scopeOver(transport: Transport): { httpVersion: string; scheme: 'http' | 'https' } {
  if (transport.name === 'h1') return { httpVersion: '1.1', scheme: 'http' }
  return { httpVersion: '2', scheme: transport.name === 'h2' ? 'https' : 'http' }
}

/**
 * The variables a server process is given over HTTP/2, so a `--command` server can pick the
 * protocol and certificate the runner speaks: TSGI_HTTP2=1, and under TLS the key and
 * certificate files.
 */
export function transportEnv(transport: Transport): Record<string, string> {
  if (transport.name === 'h1') return {}
  if (transport.name === 'h2c') return { TSGI_HTTP2: '1' }
  return { TSGI_HTTP2: '1', TSGI_TLS_KEY_FILE: transport.tls.keyFile, TSGI_TLS_CERT_FILE: transport.tls.certFile }
}
