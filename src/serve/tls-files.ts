// The key material a listening process hands node:tls: given inline, or read from the files the
// `tls` option names. Read at startup and on each SIGHUP reload; a file that cannot be read, or
// that node:tls cannot use, is a TlsFileError naming it (never showing its contents).

import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'

import { TlsFileError, describeError } from '../protocol/errors.ts'
import type { TlsFiles, TlsSource } from './tls-options.ts'

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? describeError(error)
    throw new TlsFileError(`serve(): tls.${option} '${path}' could not be read (${reason})`, path, { cause: error })
  }
}

function fromFiles(files: TlsFiles): SecureContextOptions {
  const options: SecureContextOptions = { key: readPem(files.keyFile, 'keyFile'), cert: readPem(files.certFile, 'certFile') }
  if (files.caFile !== undefined) options.ca = readPem(files.caFile, 'caFile')
  if (files.passphrase !== undefined) options.passphrase = files.passphrase
  // A PEM that reads but does not parse (a truncated renewal, the key and certificate swapped)
  // is caught here, where the files can still be named, rather than as node:tls's bare message.
  try {
    createSecureContext(options)
  } catch (error) {
    throw new TlsFileError(
      `serve(): tls.keyFile '${files.keyFile}' and tls.certFile '${files.certFile}' do not make a usable key and certificate (${describeError(error)})`,
      files.keyFile,
      { cause: error },
    )
  }
  return options
}

/** The options for node:tls's createSecureContext and createServer, read now. */
export function loadTls(source: TlsSource): SecureContextOptions {
  if (source.kind === 'files') return fromFiles(source.files)
  const { key, cert, ca, passphrase } = source.options
  return { key, cert, ...(ca === undefined ? {} : { ca }), ...(passphrase === undefined ? {} : { passphrase }) }
}
