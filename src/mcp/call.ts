// One MCP request as mcpApp hands it to a session's transport: its body already read and bounded
// here, so the transport gets it parsed and never reads one; and the answers every path shares.

import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { McpPair } from './sessions.ts'
import { respondWithFetch } from '../fetch/app.ts'
import type { HttpScope, Receive, Send } from '../protocol/types.ts'
import type { AuthInfo } from '../sdk/auth.ts'
import { rpcError, sendJson } from '../sdk/http.ts'

/** Seconds a client is asked to wait when every session slot is busy. */
const RETRY_AFTER_SECONDS = '5'

export interface Call {
  scope: HttpScope
  receive: Receive
  send: Send
  parsedBody: unknown
  authInfo: AuthInfo | undefined
}

export function tooManySessions(send: Send): Promise<void> {
  return sendJson(send, 429, rpcError(-32000, 'Too Many Requests: this client holds too many active sessions'), [
    ['retry-after', RETRY_AFTER_SECONDS],
  ])
}

export function isInitialization(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body)
}

export function answer(call: Call, pair: McpPair): Promise<void> {
  const { parsedBody, authInfo } = call
  // The body was read (and bounded) here, so the transport gets it parsed and never reads one.
  return respondWithFetch(
    call.scope,
    call.receive,
    call.send,
    (request) => pair.transport.handleRequest(request, authInfo === undefined ? { parsedBody } : { parsedBody, authInfo }),
    { bodyConsumed: true },
  )
}

export function tooManyStreams(send: Send): Promise<void> {
  return sendJson(send, 429, rpcError(-32000, 'Too Many Requests: this client holds too many open streams'), [
    ['retry-after', RETRY_AFTER_SECONDS],
  ])
}

export function sessionsFull(send: Send): Promise<void> {
  return sendJson(send, 503, rpcError(-32000, 'Service Unavailable: too many active sessions'), [['retry-after', RETRY_AFTER_SECONDS]])
}
