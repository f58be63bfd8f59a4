// The app's response head as the headers of a fetch Response that node-server will write:
// checked as Node checks them, and in the shape node-server writes fastest.

import { validateHeaderName, validateHeaderValue } from 'node:http'

// Node's own rules: a name is an RFC 9110 token; a value has no control character but tab and
// nothing past Latin-1. Tested here first because Node's validators cost a wrapper call each on
// the hot path; a header they would refuse is then handed to them, so the error the app sees is
// Node's own.
// (The backtick is written \x60: a scanner of this file would take it for a template literal.)
const TOKEN = /^[\^_\x60a-zA-Z\-0-9!#$%&'*+.|~]+$/
const NOT_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/

// Apps send the same names and mostly the same values on every response, and the two tests
// above cost about 150 ns a header, six times a lookup here. Names and values are kept apart (a
// good value is not a good name), only short strings are kept, and at most CHECKED_MAX of each:
// when full a set starts again, so values that change with each request (a length, an id) cost
// a test each and cannot grow it.
const CHECKED_MAX = 256
const CHECKED_LENGTH = 128
const checkedNames = new Set<string>()
const checkedValues = new Set<string>()

function remember(checked: Set<string>, text: string): void {
  if (text.length > CHECKED_LENGTH) return
  if (checked.size >= CHECKED_MAX) checked.clear()
  checked.add(text)
}

/** Throws Node's own error for a name or value Node would refuse. */
function check(name: string, value: string): void {
  if (!checkedNames.has(name)) {
    if (!TOKEN.test(name)) validateHeaderName(name)
    remember(checkedNames, name)
  }
  if (checkedValues.has(value)) return
  if (typeof value !== 'string' || NOT_IN_VALUE.test(value)) validateHeaderValue(name, value)
  if (typeof value === 'string') remember(checkedValues, value)
}

/**
 * The app's header pairs for a Response, checked as Node checks them (a refused one fails the
 * app's send, not the host's write). A plain object when no name repeats: node-server writes it
 * without building Headers. A repeated name (set-cookie) keeps each value in a Headers.
 */
export function responseHeaders(pairs: Array<[string, string]> | undefined): Record<string, string> | Headers {
  // An ordinary object, not Object.create(null): V8 keeps one of those in dictionary mode, which
  // node-server and writeHead then walk slowly. A name Object.prototype already answers
  // ('constructor', '__proto__') is treated as a repeat and goes to Headers, which takes any name.
  const plain: Record<string, string> = {}
  if (pairs === undefined) return plain
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!
    check(name, value)
    const key = name.toLowerCase()
    if (plain[key] !== undefined) return repeatedHeaders(pairs)
    plain[key] = value
  }
  return plain
}

function repeatedHeaders(pairs: Array<[string, string]>): Headers {
  const headers = new Headers()
  for (const [name, value] of pairs) headers.append(name, value)
  return headers
}
