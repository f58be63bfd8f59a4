// serve()'s `tls`, `http2` and `maxConcurrentStreams`, checked once when serve() is called. The
// certificate files are only named here: the primary of a cluster checks the options without
// reading them, each process that listens reads them at its startup (tls-files.ts).

import { optionNames, refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'

/** PEM text or bytes, as node:tls takes them. */
export type Pem = string | Buffer

/** The key and certificate themselves. */
export interface TlsInline {
  key: Pem
  cert: Pem
  /** CAs to trust for client certificates, or the chain to send; node:tls's `ca`. */
  ca?: Pem | Pem[]
  /** Decrypts an encrypted key. */
  passphrase?: string
}

/** Paths to PEM files, read at startup and again on SIGHUP (a renewed certificate, no restart). */
export interface TlsFiles {
  keyFile: string
  certFile: string
  caFile?: string
  passphrase?: string
}

export type TlsOptions = TlsInline | TlsFiles

export interface TlsOptionsPart {
  /**
   * Serve HTTPS: `{ key, cert, ca?, passphrase? }` or `{ keyFile, certFile, caFile?, passphrase? }`.
   * Files are read at startup (an unreadable one fails it, naming the file) and re-read on
   * SIGHUP in a single process, without dropping a connection.
   */
  tls?: TlsOptions
  /**
   * Speak HTTP/2. With `tls`, one port speaks h2 and HTTP/1.1, chosen by ALPN; without it, h2c
   * with prior knowledge only (node has no HTTP/1.1 fallback nor h2c upgrade there). Default false.
   */
  http2?: boolean
  /** Streams one HTTP/2 session may have open at once (its SETTINGS); default 100. */
  maxConcurrentStreams?: number
}

/** Where the key material comes from: given inline, or files read by each listening process. */
export type TlsSource = { kind: 'inline'; options: TlsInline } | { kind: 'files'; files: TlsFiles }

export interface TlsConfig {
  tls: TlsSource | null
  http2: boolean
  maxConcurrentStreams: number
}

export const DEFAULT_MAX_CONCURRENT_STREAMS = 100

const INLINE_NAMES = optionNames<TlsInline>()(['key', 'cert', 'ca', 'passphrase'])
const FILE_NAMES = optionNames<TlsFiles>()(['keyFile', 'certFile', 'caFile', 'passphrase'])

/** For refuseUnknownOptions(), whose message names serve() and the full path (`tls.certFlie`). */
function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

function isPem(value: unknown): value is Pem {
  return (typeof value === 'string' && value !== '') || (Buffer.isBuffer(value) && value.byteLength > 0)
}

function readSource(value: unknown, fail: (message: string) => never): TlsSource | null {
  if (value === undefined) return null
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`tls must be { key, cert } or { keyFile, certFile }, got ${show(value)}`)
  }
  const given = value as Record<string, unknown>
  const files = 'keyFile' in given || 'certFile' in given || 'caFile' in given
  refuseUnknownOptions(given, files ? FILE_NAMES : INLINE_NAMES, 'serve()', refuse, 'tls')
  if (given.passphrase !== undefined && typeof given.passphrase !== 'string') {
    fail(`tls.passphrase must be a string, got ${show(given.passphrase)}`)
  }
  if (files) {
    for (const name of ['keyFile', 'certFile', 'caFile'] as const) {
      const path = given[name]
      if (path === undefined && name === 'caFile') continue
      if (typeof path !== 'string' || path === '') fail(`tls.${name} must be a file path, got ${show(path)}`)
    }
    return { kind: 'files', files: { ...(given as unknown as TlsFiles) } }
  }
  for (const name of ['key', 'cert'] as const) {
    // A key's text is a secret: the message says what kind of value it was, never its contents.
    if (!isPem(given[name])) fail(`tls.${name} must be PEM text or a Buffer, got ${show(given[name])}`)
  }
  const ca = given.ca
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.length > 0 && ca.every(isPem))) {
    fail(`tls.ca must be PEM text, a Buffer or a non-empty array of them, got ${show(ca)}`)
  }
  return { kind: 'inline', options: { ...(given as unknown as TlsInline) } }
}

export function readTlsOptions(options: TlsOptionsPart, fail: (message: string) => never): TlsConfig {
  const http2 = options.http2 ?? false
  if (typeof http2 !== 'boolean') fail(`http2 must be true or false, got ${show(options.http2)}`)
  const streams = options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS
  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS is a 32-bit value; 0 would refuse every stream.
  if (typeof streams !== 'number' || !Number.isInteger(streams) || streams < 1 || streams > 2 ** 32 - 1) {
    fail(`maxConcurrentStreams must be an integer from 1 to 4294967295, got ${show(options.maxConcurrentStreams)}`)
  }
  return { tls: readSource(options.tls, fail), http2, maxConcurrentStreams: streams }
}
