// The request-target split and the path rules of H9, as pure functions, plus a property test:
// whatever a client spells, the decoded path starts at '/' and holds no '.' or '..' segment.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { decodePath, parseTarget, removeDotSegments } from '../src/node/request-path.ts'

test('dot-segments resolve as RFC 3986 says and never climb above the root', () => {
  const cases: Array<[string, string]> = [
    ['/a/b/c/./../../g', '/a/g'],
    ['/a/../b', '/b'],
    ['/..', '/'],
    ['/../../x', '/x'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/a//..', '/a/'],
    ['/a/.hidden/..b', '/a/.hidden/..b'],
    ['/plain', '/plain'],
  ]
  for (const [input, expected] of cases) assert.equal(removeDotSegments(input), expected, input)
})

test('the whole path is decoded before dot-segments resolve, so encoded dots and slashes cannot climb', () => {
  assert.equal(decodePath('/%2e%2e/%2e%2e/x'), '/x')
  assert.equal(decodePath('/%2E%2e/etc'), '/etc')
  assert.equal(decodePath('/x%2f..%2f..%2fy'), '/y')
  assert.equal(decodePath('/a%2fb'), '/a/b')
  assert.equal(decodePath('/caf%C3%A9'), '/café')
  assert.equal(decodePath('/%252e%252e'), '/%2e%2e', 'decoded once, not twice')
  assert.equal(decodePath('/a+b'), '/a+b')
})

test('a malformed escape or bytes that are not UTF-8 cannot be decoded', () => {
  for (const bad of ['/%', '/%2', '/%zz', '/%ff', '/%c3%28', '/%ed%a0%80']) assert.equal(decodePath(bad), null, bad)
})

test('request-targets split into rawPath and queryString in origin, absolute and asterisk form', () => {
  assert.deepEqual(parseTarget('/a%20b?x=1&y'), { rawPath: '/a%20b', queryString: 'x=1&y', path: '/a b' })
  assert.deepEqual(parseTarget('/?'), { rawPath: '/', queryString: '', path: '/' })
  assert.deepEqual(parseTarget('https://h.test:8443/p/../q?z'), { rawPath: '/p/../q', queryString: 'z', path: '/q' })
  assert.deepEqual(parseTarget('http://h.test?z'), { rawPath: '/', queryString: 'z', path: '/' })
  assert.deepEqual(parseTarget('*'), { rawPath: '*', queryString: '', path: '*' })
  assert.equal(parseTarget('h.test:443').path, null, 'authority-form is not a path')
  assert.equal(parseTarget('1http://x/').path, null)
})

test('for any spelling of segments, the decoded path starts with / and has no . or .. segment', () => {
  const piece = fc.constantFrom('a', 'b', '.', '..', '%2e', '%2E%2e', '%2e.', '%2f', '%2F..', 'x%2f..%2f..', '', '%41', '.%2e')
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const path = decodePath('/' + pieces.join('/'))
      assert.ok(path !== null)
      assert.ok(path.startsWith('/'), path)
      const segments = path.split('/')
      assert.ok(!segments.includes('..') && !segments.includes('.'), path)
    }),
    { numRuns: 2000 },
  )
})

test('the one-pass split of an origin-form target agrees with splitting at the first ? and decoding', () => {
  const piece = fc.constantFrom('/', 'a', '.', '..', '%2e', '%2F', '?', '%', '%zz', '=', '&', 'é')
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
      const target = '/' + pieces.join('')
      const q = target.indexOf('?')
      const rawPath = q === -1 ? target : target.slice(0, q)
      assert.deepEqual(parseTarget(target), { rawPath, queryString: q === -1 ? '' : target.slice(q + 1), path: decodePath(rawPath) })
    }),
    { numRuns: 2000 },
  )
})
