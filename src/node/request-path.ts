// The request-target split into what a scope carries. `path` is decoded once, whole (an encoded
// '/' becomes a real separator), and only then are dot-segments resolved, so no spelling of
// '..' (`%2e%2e`, `x%2f..%2f`) can reach an app as a segment or climb above '/'. Decoding
// after resolving would let `%2e%2e` survive as '..'; that order is the point of this file.

/** What a request-target yields; `path` is null when the target cannot be decoded (answer 400). */
export interface RequestTarget {
  rawPath: string
  queryString: string
  path: string | null
}

/**
 * Splits a request-target (origin-form '/a?b', absolute-form 'http://h/a?b', or '*') into the
 * raw path, the query string without '?', and the decoded, dot-segment-free path.
 */
export function parseTarget(target: string): RequestTarget {
  if (target.charCodeAt(0) !== 47 /* '/' */) return otherForm(target)
  // Origin-form, the hot path: one pass finds the query and whether anything needs decoding
  // ('%', or a '.' right after a '/'), so a plain path is handed back untouched.
  let query = -1
  let plain = true
  for (let i = 1, previous = 47; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c === 63 /* '?' */) {
      query = i
      break
    }
    if (c === 37 /* '%' */ || (c === 46 /* '.' */ && previous === 47)) plain = false
    previous = c
  }
  if (query === -1) return { rawPath: target, queryString: '', path: plain ? target : decodePath(target) }
  const rawPath = target.slice(0, query)
  return { rawPath, queryString: target.slice(query + 1), path: plain ? rawPath : decodePath(rawPath) }
}

/** Absolute-form ('http://h/a?b') and asterisk-form ('*'); anything else cannot be decoded. */
function otherForm(target: string): RequestTarget {
  if (target === '*') return { rawPath: '*', queryString: '', path: '*' }
  const start = authorityEnd(target)
  if (start === -1) return { rawPath: target, queryString: '', path: null }
  const query = target.indexOf('?', start)
  const rawPath = (query === -1 ? target.slice(start) : target.slice(start, query)) || '/'
  return { rawPath, queryString: query === -1 ? '' : target.slice(query + 1), path: decodePath(rawPath) }
}

/** Where the path of an absolute-form target begins (its length when it has none), or -1. */
function authorityEnd(target: string): number {
  const scheme = target.indexOf('://')
  if (scheme <= 0 || !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(target.slice(0, scheme))) return -1
  const from = scheme + 3
  for (let i = from; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c === 47 /* '/' */ || c === 63 /* '?' */) return i
  }
  return target.length
}

/**
 * Percent-decodes the whole raw path, then removes dot-segments (RFC 3986 5.2.4).
 * Returns null for a malformed escape or bytes that are not UTF-8.
 */
export function decodePath(rawPath: string): string | null {
  // The common path has neither an escape nor a dot-segment: hand it back untouched.
  if (rawPath.indexOf('%') === -1 && rawPath.indexOf('/.') === -1) return rawPath
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  return removeDotSegments(decoded)
}

/** '/a/./b/../c' -> '/a/c'; '..' never climbs above '/'; a final '.' or '..' leaves a trailing '/'. */
export function removeDotSegments(path: string): string {
  if (path.indexOf('/.') === -1) return path
  const input = path.split('/')
  const output: string[] = []
  // input[0] is what precedes the first '/': '' for every origin-form path.
  for (let i = 1; i < input.length; i++) {
    const segment = input[i]!
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop()
      if (i === input.length - 1) output.push('')
    } else {
      output.push(segment)
    }
  }
  return '/' + output.join('/')
}
