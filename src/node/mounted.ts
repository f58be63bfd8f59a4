// A request seen by a host that already routed it (Express, Fastify, Hono): the host matched a
// prefix and may have read the body. The bridge then needs the full target, the raw prefix the
// host consumed, and the bytes the host kept, to build the same scope serve() would have built
// for an app mounted under a router at that prefix.

import type { IncomingMessage } from 'node:http'
import { decodePath, parseTarget, type RequestTarget } from './request-path.ts'
import { declaredBodyLength, scopeHeaders } from './scope.ts'

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
 * its own, after the prefix, so no spelling of '..' climbs out of the mount; a prefix that is
 * not the start of the target, or one that cannot be decoded, leaves path null (answer 400).
 */
export function mountedTarget(target: string, root: string): MountedTarget {
  const whole = parseTarget(target)
  if (root === '' || root === '/') return { ...whole, rootPath: '' }
  const rootPath = decodePath(root)
  const rawPath = whole.rawPath
  if (rootPath === null || !rawPath.startsWith(root) || (rawPath.length > root.length && rawPath.charCodeAt(root.length) !== 47)) {
    return { rawPath, queryString: whole.queryString, path: null, rootPath: '' }
  }
  const rest = rawPath.length === root.length ? '/' : rawPath.slice(root.length)
  return { rawPath, queryString: whole.queryString, path: decodePath(rest), rootPath }
}

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
  const headers = scopeHeaders(req.rawHeaders)
  const target = view === undefined ? parseTarget(req.url ?? '/') : mountedTarget(view.target, view.root)
  // The host read the stream: nothing is left on it for the bridge to read or discard.
  if (view?.body != null) return { headers: replayHeaders(headers, view.body.byteLength), bodyLength: 0, replay: view.body, target }
  return { headers, bodyLength: declaredBodyLength(headers), replay: null, target }
}
