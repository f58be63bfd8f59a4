// node-server's already-sent marker: a handler that wrote the node response itself returns a
// Response with the header `x-hono-already-sent`, and node-server then writes nothing. toHono()
// returns it whenever the bridge wrote the answer on the node response.

/** node-server's marker: the handler wrote the response itself, so node-server writes nothing. */
const ALREADY_SENT = 'x-hono-already-sent'

/** The marker's one header; frozen, as every request is handed the same one. */
const MARKER_ENTRIES = Object.freeze([Object.freeze([ALREADY_SENT, 'true'] as [string, string])]) as Array<[string, string]>

/**
 * A Response carrying node-server's marker. node-server swaps the global Response for a lighter
 * class that extends the real one, and writes a light Response's head without reading the
 * marker: the marker must be a real one. Behind a middleware (a fromNodeHandler() child took the
 * request over) it is one per request: the middleware may add headers to the Response it is handed.
 */
export function handedOver(): Response {
  return new (realResponse())(null, { headers: MARKER_ENTRIES })
}

/** The platform's Response: node-server's global one extends it. */
function realResponse(): typeof Response {
  const parent: unknown = Object.getPrototypeOf(Response)
  return typeof parent === 'function' && parent !== Function.prototype ? (parent as typeof Response) : Response
}

let shared: Response | undefined

/**
 * The marker for an answer the bridge writes itself, shared as node-server's own
 * RESPONSE_ALREADY_SENT is: no middleware matched, so nothing in Hono holds it or adds to it.
 * Made at the first request, once node-server has put its classes in place.
 */
export function alreadySent(): Response {
  shared ??= sharedMarker()
  return shared
}

/**
 * node-server reads a returned Response's `headers` (a set-cookie check, then every entry) and
 * its `body` before it finds the marker: on a real Response each of those reads passes undici's
 * WebIDL checks, about 0.3 µs a request in the profile, a third of tsgi's own share. The shared
 * marker answers those reads from fixed values, the ones a real Response would give, and its
 * headers cannot change: every request is handed the same marker. Its classes are made here,
 * at the first request, not at import: reading the global Headers loads Node's fetch classes.
 */
function sharedMarker(): Response {
  class MarkerHeaders extends (Headers as new (init: Array<[string, string]>) => { has(name: string): boolean }) {
    override has(name: string): boolean {
      return name === ALREADY_SENT || (name !== 'set-cookie' && super.has(name))
    }
    [Symbol.iterator](): IterableIterator<[string, string]> {
      return MARKER_ENTRIES.values()
    }
    append(): never {
      throw new TypeError('the already-sent marker is shared by every request; its headers are immutable')
    }
    set(): never {
      return this.append()
    }
    delete(): never {
      return this.append()
    }
  }
  const headers = new MarkerHeaders(MARKER_ENTRIES)
  // Typed as bare constructors: the DOM typings declare these members as fields, not methods or accessors.
  class AlreadySent extends (realResponse() as new (body: null, init: ResponseInit) => object) {
    get headers(): Headers {
      return headers as unknown as Headers
    }
    get body(): null {
      return null
    }
  }
  return new AlreadySent(null, { headers: MARKER_ENTRIES }) as Response
}
