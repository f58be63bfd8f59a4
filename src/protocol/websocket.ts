// The websocket conversation of one connection, as data (ASGI www spec 2.5). The bridge walks
// this table for every message it delivers and every message the app sends, so a message the
// spec does not allow fails the same way wherever websockets are served.

import { ProtocolError, WebSocketClosedError } from './errors.ts'
import type { WebSocketReceiveMessage, WebSocketSendMessage } from './types.ts'

/**
 * - `connecting`: the handshake waits for the app; `websocket.connect` not yet received.
 * - `handshake`: `websocket.connect` received; the app accepts, refuses or answers over HTTP.
 * - `responding`: the denial response's head was sent; body chunks follow.
 * - `open`: accepted; messages both ways.
 * - `closing`: the app sent `websocket.close`; the close handshake runs, frames may still arrive.
 * - `closed`: the connection is gone; `websocket.disconnect` is all there is to receive.
 */
export type WebSocketState = 'connecting' | 'handshake' | 'responding' | 'open' | 'closing' | 'closed'
export type WebSocketMessageType = WebSocketReceiveMessage['type'] | WebSocketSendMessage['type']

/**
 * state × message type → next state. A pair missing from the table is a protocol error, except
 * what the app sends once the connection is over (`closed`, or `closing` for a send or a second
 * close), which rejects with WebSocketClosedError: the peer left, the app did nothing wrong. The denial response's last
 * body chunk (`moreBody` false) ends the conversation: see `advance`.
 */
export const websocketTransitions: Readonly<Record<WebSocketState, Readonly<Partial<Record<WebSocketMessageType, WebSocketState>>>>> = {
  connecting: {
    'websocket.connect': 'handshake',
    'websocket.accept': 'open',
    'websocket.close': 'closed',
    'websocket.http.response.start': 'responding',
    'websocket.disconnect': 'closed',
  },
  handshake: {
    'websocket.accept': 'open',
    'websocket.close': 'closed',
    'websocket.http.response.start': 'responding',
    'websocket.disconnect': 'closed',
  },
  responding: { 'websocket.http.response.body': 'responding', 'websocket.disconnect': 'closed' },
  open: {
    'websocket.receive': 'open',
    'websocket.send': 'open',
    'websocket.close': 'closing',
    'websocket.disconnect': 'closed',
  },
  closing: { 'websocket.receive': 'closing', 'websocket.disconnect': 'closed' },
  closed: { 'websocket.disconnect': 'closed' },
}

const knownTypes = new Set<string>(Object.values(websocketTransitions).flatMap((row) => Object.keys(row)))
/** What the app sends; once the connection is over, each of these rejects with WebSocketClosedError. */
const appSent = new Set<string>([
  'websocket.accept',
  'websocket.send',
  'websocket.close',
  'websocket.http.response.start',
  'websocket.http.response.body',
])

/** The next state, or the error that names the state and the message type. */
export function nextWebSocketState(state: WebSocketState, type: unknown): WebSocketState {
  const next = typeof type === 'string' ? websocketTransitions[state][type as WebSocketMessageType] : undefined
  if (next !== undefined) return next
  const over = state === 'closed' || (state === 'closing' && (type === 'websocket.send' || type === 'websocket.close'))
  if (over && typeof type === 'string' && appSent.has(type)) {
    throw new WebSocketClosedError(`websocket: '${type}' after the connection ${state === 'closed' ? 'closed' : 'began to close'}`)
  }
  const shown = typeof type === 'string' ? `'${type}'` : `a message without a string type (${typeof type})`
  const reason = typeof type === 'string' && knownTypes.has(type) ? 'is not allowed' : 'is not a websocket message'
  throw new ProtocolError(`websocket: ${shown} ${reason} in state '${state}'`, state, String(type))
}

/** One connection's position in the table; `advance` checks a message and moves on. */
export class WebSocketConversation {
  #state: WebSocketState = 'connecting'

  get state(): WebSocketState {
    return this.#state
  }

  advance(message: { type?: unknown; moreBody?: unknown } | null | undefined): WebSocketState {
    const type = message !== null && typeof message === 'object' ? message.type : undefined
    let next = nextWebSocketState(this.#state, type)
    if (type === 'websocket.http.response.body' && message?.moreBody !== true) next = 'closed'
    this.#state = next
    return next
  }

  /** The connection went away underneath (a drop, a drain): the state follows, without a message. */
  end(): void {
    this.#state = 'closed'
  }
}
