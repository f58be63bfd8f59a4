// A request seen by a host that already routed it (Express, Fastify, Hono): the host matched a
// prefix and may have read the body. The bridge then needs the full target, the raw prefix the
// host consumed, and the bytes the host kept, to build the same scope serve() would have built
// for an app mounted under a router at that prefix.

import type { IncomingMessage } from 'node:http'
import { decodePath, parseTarget, type RequestTarget } from './request-path.ts'
import { declaredBodyLength, scopeHeaders } from './scope.ts'
import { http2BodyLength, http2ScopeHeaders, isHttp2 } from './http2-exchange.ts'

/** What an embedding host tells the bridge about one request. */
export interface HostView {
  /** The request-target as the client sent it, full (Express: `originalUrl`). */
  target: string
  /** The raw prefix the host matched ('' when none; Express: `baseUrl`). */
  root: string
  /** The body the host already read, to hand over again; null when the stream is untouched. */
  body: Uint8Array | null
  /**
   * The host already set headers on the response (Express's X-Powered-By, a CORS middleware):
   * Node's writeHead would then let a repeated name of the app's replace the earlier one, so
   * the head is appended to them pair by pair instead.
   */
  presetHeaders?: boolean
}

/** A target under a mount: `path` is relative to `rootPath`, `rawPath` stays full. */
export interface MountedTarget extends RequestTarget {
  rootPath: string
}

/**
 * Splits `target` at the host's prefix. The child path is decoded and dot-segment-resolved on
 * its own, after the prefix, so no spelling of '..' climbs out of the mount; a prefix longer
 * than the target, or one that cannot be decoded, leaves path null (answer 400).
 */
export function mountedTarget(target: string, root: string): MountedTarget {
  const whole = parseTarget(target)
  const rawPath = whole.rawPath
  if (root === '' || root === '/') return { rawPath, queryString: whole.queryString, path: whole.path, rootPath: '' }
  const rawRoot = rawPrefix(rawPath, root.charCodeAt(root.length - 1) === SLASH ? root.slice(0, -1) : root)
  // The whole path came back as it was (no escape, no dot-segment): so do its two parts, which
  // split it at a '/'. Decoding them again cost more than the rest of this function.
  const plain = whole.path === rawPath
  const rootPath = rawRoot === null ? null : plain ? rawRoot : decodePath(rawRoot)
  if (rawRoot === null || rootPath === null) return { rawPath, queryString: whole.queryString, path: null, rootPath: '' }
  const rest = rawPath.length === rawRoot.length ? '/' : rawPath.slice(rawRoot.length)
  return { rawPath, queryString: whole.queryString, path: plain ? rest : decodePath(rest), rootPath }
}

/**
 * The part of `rawPath` the host's prefix matched. Express names it raw; Hono names it decoded
 * ('/a b' for '/a%20b') and Fastify as its pattern ('/t/:tenant'): those match as many segments
 * of the raw path as they have, since no segment a host matches spans a '/'. Null when the
 * path has fewer segments.
 */
function rawPrefix(rawPath: string, root: string): string | null {
  if (rawPath.startsWith(root) && (rawPath.length === root.length || rawPath.charCodeAt(root.length) === SLASH)) return root
  let end = 0
  for (let i = root.indexOf('/', 1); i !== -1; i = root.indexOf('/', i + 1)) {
    end = rawPath.indexOf('/', end + 1)
    if (end === -1) return null
  }
  const next = rawPath.indexOf('/', end + 1)
  return next === -1 ? rawPath : rawPath.slice(0, next)
}

const SLASH = 0x2f

const BODY_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-encoding'])

/**
 * The headers of a request whose body is handed over again: the framing and the encoding of
 * the original no longer describe it (a host inflates gzip before parsing), so they give way to
 * one content-length that matches the bytes the app receives.
 */
export function replayHeaders(headers: Array<[string, string]>, length: number): Array<[string, string]> {
  const kept = headers.filter(([name]) => !BODY_HEADERS.has(name))
  kept.push(['content-length', String(length)])
  return kept
}

/** What the bridge reads off a request before any app runs. */
export interface RequestHead {
  headers: Array<[string, string]>
  /** -1 when chunked, else the declared content-length (0 when there is none, or it was replayed). */
  bodyLength: number
  replay: Uint8Array | null
  target: RequestTarget
}

export function readRequestHead(req: IncomingMessage, view: HostView | undefined): RequestHead {
  const http2 = isHttp2(req)
  const headers = http2 ? http2ScopeHeaders(req.rawHeaders) : scopeHeaders(req.rawHeaders)
  const target = view === undefined ? parseTarget(req.url ?? '/') : mountedTarget(view.target, view.root)
  // The host read the stream: nothing is left on it for the bridge to read or discard.
  if (view?.body != null) return { headers: replayHeaders(headers, view.body.byteLength), bodyLength: 0, replay: view.body, target }
  return { headers, bodyLength: http2 ? http2BodyLength(req, headers) : declaredBodyLength(headers), replay: null, target }
}
