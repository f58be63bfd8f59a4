// The peers run over HTTP/2: their verdicts on the H scenarios, and why they fail or differ
// from their HTTP/1.1 verdicts (expected/<peer>.json). hypercorn 0.13.2 (Debian) speaks h2
// over TLS by ALPN and h2c with prior knowledge, through the python3-h2 library.

import type { Behaviour } from './differences.ts'
import type { Verdict } from './runner/run.ts'

export type Http2Peer = 'hypercorn'

/** What changes over HTTP/2, for a scenario whose verdict differs from the peer's HTTP/1.1 one. */
export const http2Notes = {
  hypercornDisconnectOverH2:
    'Over HTTP/2 hypercorn passes H2, which it fails over HTTP/1.1: a client that cancels its stream sends RST_STREAM, which hypercorn reads at once and turns into `http.disconnect`; over HTTP/1.1 it does not read the socket while the app waits.',
} as const

/** The H verdicts over HTTP/2 (TLS); a failure is explained by a behaviour of differences.ts. */
export const http2Expected: Record<Http2Peer, Record<string, Verdict>> = {
  hypercorn: {
    H1: 'passed',
    H2: 'passed',
    H3: 'passed',
    H4: 'passed',
    H5: 'passed',
    H6: 'passed',
    H7: 'passed',
    H8: 'skipped',
    H9: 'failed',
    H10: 'passed',
    H11: 'passed',
    H12: 'passed',
    H13: 'passed',
    H14: 'passed',
    H15: 'passed',
    H16: 'failed',
  },
}

/** Why each expected failure over HTTP/2 happens (the same behaviours as over HTTP/1.1), and the notes where it differs. */
export const http2Differences: Record<Http2Peer, Record<string, Behaviour | keyof typeof http2Notes>> = {
  hypercorn: { H2: 'hypercornDisconnectOverH2', H9: 'pathNotResolved', H16: 'pathNotResolved' },
}
