// A request whose body a host already read (Express's body parsers, a raw-body middleware) has
// nothing left on its stream; reading it would give the app an empty body and no error. Here
// the bridge finds what the host kept and hands it over again, or says plainly that it cannot.

import type { IncomingMessage } from 'node:http'

/** What the bridge does with a body the host already read. */
export type ConsumedBodyPolicy = 'replay' | 'error'

/** The body to hand to the app, or why there is none to hand. */
export type Recovered = { body: Uint8Array } | { refused: string }

/** The fields hosts and their middleware leave on a request. */
interface HostRequest extends IncomingMessage {
  body?: unknown
  rawBody?: unknown
}

/** Whether something other than the bridge has started reading the stream. */
export function bodyConsumed(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded
}

/** Why a consumed body does not reach the app, in the one log line that refuses it. */
export const REFUSED_BY_POLICY = "the host already read the request body and consumedBody is 'error'"
export const KEPT_NOTHING = 'the host already read the request body and kept nothing of it'

/**
 * What the host kept of a body it read: the raw bytes where it kept them (`rawBody`, a Buffer or
 * string `body`), else the parsed value written again in the request's content type (the same
 * JSON value, not necessarily the same bytes), else a refusal naming why.
 */
export function recoverBody(req: IncomingMessage, policy: ConsumedBodyPolicy): Recovered {
  if (policy === 'error') return { refused: REFUSED_BY_POLICY }
  const { rawBody, body } = req as HostRequest
  const raw = bytesOf(rawBody) ?? bytesOf(body)
  if (raw !== null) return { body: raw }
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (body !== undefined && body !== null && (type === 'application/json' || type.endsWith('+json'))) {
    return { body: Buffer.from(JSON.stringify(body)) }
  }
  if (type === 'application/x-www-form-urlencoded' && isFlatForm(body)) {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(body)) {
      for (const one of Array.isArray(value) ? value : [value]) form.append(key, one)
    }
    return { body: Buffer.from(form.toString()) }
  }
  if (body === undefined) return { refused: KEPT_NOTHING }
  return {
    refused: `the host already read the request body and kept only a parsed value that cannot be written again as '${type || 'no content type'}'`,
  }
}

function bytesOf(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string') return Buffer.from(value)
  return null
}

/** A form a parser read without nesting: every value a string or a list of strings. */
function isFlatForm(value: unknown): value is Record<string, string | string[]> {
  if (value === null || typeof value !== 'object') return false
  return Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((one) => typeof one === 'string')))
}
