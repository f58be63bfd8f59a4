// SIGHUP in a single process re-reads the `tls` files and swaps the server's secure context:
// connections open keep the certificate they shook hands with, new ones get the renewed one,
// nothing stops. A file that cannot be read or used is logged and the old context stays. (In a
// cluster the primary owns SIGHUP: its rolling reload replaces the workers, and each new one
// reads the files at its startup.)

import type { Logger } from '../protocol/types.ts'
import { describeError } from '../protocol/errors.ts'
import type { NodeServer } from './node-server.ts'
import { loadTls } from './tls-files.ts'
import type { TlsSource } from './tls-options.ts'

/**
 * Starts listening for SIGHUP where the key material comes from files; the returned function
 * stops. Not where the user took SIGHUP for themselves (`signals`), nor where serve() leaves the
 * signals alone (`signals: false`, and a cluster worker, whose primary owns them).
 */
export function reloadCertificateOnHangup(
  server: NodeServer,
  source: TlsSource | null,
  signals: readonly NodeJS.Signals[],
  logger: Logger,
): () => void {
  if (source?.kind !== 'files' || signals.length === 0 || signals.includes('SIGHUP')) return () => undefined
  const reload = (): void => {
    try {
      server.setSecureContext!(loadTls(source))
      logger.info('tsgi: SIGHUP received; the TLS key and certificate were read again')
    } catch (error) {
      logger.error(`tsgi: SIGHUP received, but the TLS files were kept as they were: ${describeError(error)}`)
    }
  }
  process.on('SIGHUP', reload)
  return () => process.off('SIGHUP', reload)
}
