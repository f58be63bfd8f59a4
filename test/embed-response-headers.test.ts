// The app's head as a Response's headers under @hono/node-server: checked by Node's rules before
// node-server writes them, and a name that Object.prototype already knows is kept like any other.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { responseHeaders } from '../src/embed/response-headers.ts'

test('distinct names become a plain object with lower-cased names, a repeated one a Headers keeping each value', () => {
  const plain = responseHeaders([
    ['Content-Type', 'text/plain'],
    ['x-tab', 'a\tb'],
  ])
  assert.deepEqual({ ...plain }, { 'content-type': 'text/plain', 'x-tab': 'a\tb' })
  assert.equal(Object.getPrototypeOf(plain), Object.prototype)
  const repeated = responseHeaders([
    ['set-cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ])
  assert.ok(repeated instanceof Headers)
  assert.deepEqual(repeated.getSetCookie(), ['a=1', 'b=2'])
  assert.deepEqual({ ...responseHeaders(undefined) }, {})
  // Every token character is a name, the backtick and the caret among them.
  assert.deepEqual({ ...responseHeaders([["x-`^|~!#$%&'*+.", '1']]) }, { "x-`^|~!#$%&'*+.": '1' })
})

test('a header named __proto__ or constructor reaches the Response with its value, not lost to the prototype', () => {
  const headers = responseHeaders([
    ['__proto__', 'kept'],
    ['constructor', 'also kept'],
    ['content-type', 'text/plain'],
  ])
  assert.ok(headers instanceof Headers)
  assert.equal(headers.get('__proto__'), 'kept')
  assert.equal(headers.get('constructor'), 'also kept')
  assert.equal(headers.get('content-type'), 'text/plain')
  assert.equal(new Response(null, { headers }).headers.get('__proto__'), 'kept')
})

test("a name or value Node refuses throws Node's own error, naming the header", () => {
  assert.throws(() => responseHeaders([['bad name', 'x']]), { code: 'ERR_INVALID_HTTP_TOKEN', message: /bad name/ })
  assert.throws(() => responseHeaders([['x-line', 'a\r\nb']]), { code: 'ERR_INVALID_CHAR', message: /x-line/ })
  assert.throws(() => responseHeaders([['x-wide', 'caf\u0100']]), { code: 'ERR_INVALID_CHAR', message: /x-wide/ })
  assert.throws(() => responseHeaders([['x-none', undefined as unknown as string]]), { code: 'ERR_HTTP_INVALID_HEADER_VALUE' })
})

test('a string already accepted as a value is still refused as a name, and a refused one stays refused', () => {
  const value = 'text/plain; charset=utf-8'
  responseHeaders([['content-type', value]])
  assert.throws(() => responseHeaders([[value, 'x']]), { code: 'ERR_INVALID_HTTP_TOKEN' })
  assert.throws(() => responseHeaders([['x-line', 'a\nb']]), { code: 'ERR_INVALID_CHAR' })
  assert.throws(() => responseHeaders([['x-line', 'a\nb']]), { code: 'ERR_INVALID_CHAR' })
  // Past the cap of remembered strings, each is still checked.
  for (let i = 0; i < 600; i++) responseHeaders([[`x-n${i}`, `v${i}`]])
  assert.throws(() => responseHeaders([['bad name', 'x']]), { code: 'ERR_INVALID_HTTP_TOKEN' })
  assert.deepEqual({ ...responseHeaders([['x-n5', 'v5']]) }, { 'x-n5': 'v5' })
})
