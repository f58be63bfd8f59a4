// The app's response head as the headers of a fetch Response that node-server will write:
// checked as Node checks them, and in the shape node-server writes fastest.

import { validateHeaderName, validateHeaderValue } from 'node:http'

/**
 * The app's header pairs for a Response, checked as Node checks them (a refused one fails the
 * app's send, not the host's write). A plain object when no name repeats: node-server writes it
 * without building Headers. A repeated name (set-cookie) keeps each value in a Headers.
 */
export function responseHeaders(pairs: Array<[string, string]> | undefined): Record<string, string> | Headers {
  // No prototype: a header named __proto__ is a name like any other.
  const plain: Record<string, string> = Object.create(null)
  if (pairs === undefined) return plain
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!
    validateHeaderName(name)
    validateHeaderValue(name, value)
    const key = name.toLowerCase()
    if (Object.hasOwn(plain, key)) return repeatedHeaders(pairs)
    plain[key] = value
  }
  return plain
}

function repeatedHeaders(pairs: Array<[string, string]>): Headers {
  const headers = new Headers()
  for (const [name, value] of pairs) headers.append(name, value)
  return headers
}
