// What the bridge does differently for a request that came over HTTP/2 (node:http2's
// compatibility API, which hands out Http2ServerRequest/Response shaped like node:http's). The
// head arrives with pseudo-headers and `:authority` in place of Host; a body may come without
// content-length and without chunking; the answer must carry no connection-specific header
// (node warns on `connection` and throws on the others, and Safari refuses such a response);
// and "the connection" of a request is its stream, never the session's socket that every
// other stream shares.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'

/** node:http2's requests say major version 2; node:http's say 1. */
export function isHttp2(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2
}

/** The headers an app sees: pseudo-headers dropped, `:authority` as Host when the client sent none. */
export function http2ScopeHeaders(raw: string[]): Array<[string, string]> {
  const headers: Array<[string, string]> = []
  let authority: string | null = null
  let host = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.charCodeAt(0) === COLON) {
      if (name === ':authority') authority = raw[i + 1]!
      continue
    }
    // HTTP/2 header names arrive lower-cased already.
    if (name === 'host') host = true
    headers.push([name, raw[i + 1]!])
  }
  if (!host && authority !== null) headers.unshift(['host', authority])
  return headers
}

const COLON = 0x3a

/**
 * -1 (read until the stream ends) for a body without content-length, else the declared length;
 * 0 when the client ended its stream with the head (a GET).
 */
export function http2BodyLength(req: IncomingMessage, headers: Array<[string, string]>): number {
  if ((req as unknown as Http2ServerRequest).stream.endAfterHeaders) return 0
  for (let i = 0; i < headers.length; i++) if (headers[i]![0] === 'content-length') return Number(headers[i]![1])
  return -1
}

/** Connection-specific names (RFC 9113 8.2.2): meaningless on one stream of a shared connection. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

/** A flat [name, value, ...] head without connection-specific headers (and `te` other than `trailers`). */
export function withoutConnectionHeaders(flat: string[]): string[] {
  let kept: string[] | null = null
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase()
    const drop = CONNECTION_SPECIFIC.has(name) || (name === 'te' && flat[i + 1]!.trim().toLowerCase() !== 'trailers')
    if (drop && kept === null) kept = flat.slice(0, i)
    else if (!drop && kept !== null) kept.push(flat[i]!, flat[i + 1]!)
  }
  return kept ?? flat
}

/** Stops a request's body for good: its stream is reset; the session and its other streams go on. */
export function cancelStream(req: IncomingMessage): void {
  const stream = (req as unknown as Http2ServerRequest).stream
  if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL)
}

/** node:http's response says `destroyed`; node:http2's compatibility response has no such field, its stream does. */
export function responseDestroyed(res: ServerResponse): boolean {
  const destroyed = res.destroyed as boolean | undefined
  if (destroyed !== undefined) return destroyed
  const stream = (res as unknown as Http2ServerResponse).stream as Http2ServerResponse['stream'] | undefined
  return stream == null || stream.destroyed
}

/**
 * After an answer that on HTTP/1.1 would close the connection (413, 408, a drain's 503): the
 * stream is reset with NO_ERROR once the answer is out (node waits for it), so the client stops
 * sending a body nobody will read, and the stream does not hold its session open.
 */
export function endStreamAfterAnswer(res: ServerResponse): void {
  const stream = (res as unknown as Http2ServerResponse).stream as Http2ServerResponse['stream'] | undefined
  if (stream != null && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR)
}
