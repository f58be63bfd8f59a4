// The websocket client the runner drives (ws, a real client) and the check of what it saw.
// One connection per action; what it observed is plain data, compared with the scenario's expect.

import type WebSocket from 'ws'

import type { Action, WebSocketExpect, WebSocketFrame } from '../scenarios/types.ts'

type WebSocketAction = Extract<Action, { do: 'websocket' }>

export interface WebSocketResult {
  /** The handshake succeeded. */
  opened: boolean
  /** The connection could not be made, or broke before a close: why. */
  failure?: string
  status?: number
  body?: string
  headers: Record<string, string>
  subprotocol: string
  messages: WebSocketFrame[]
  close?: { code: number; reason: string }
}

const LIMIT_MS = 5_000

let loading: Promise<typeof WebSocket> | null = null

/**
 * The ws client, loaded at the first websocket action: ws is an optional peer of the installed
 * package, so every other level runs where it is missing.
 */
function loadClient(): Promise<typeof WebSocket> {
  loading ??= import('ws').then((module) => module.default)
  return loading
}

/** Why level W cannot run here (no websocket client installed), or null. */
export async function websocketClientMissing(): Promise<string | null> {
  try {
    await loadClient()
    return null
  } catch {
    return 'level W needs the ws package as its websocket client: npm install ws'
  }
}

function frame(data: WebSocket.RawData, isBinary: boolean): WebSocketFrame {
  const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
  return isBinary ? { bytesHex: buffer.toString('hex') } : { text: buffer.toString('utf8') }
}

/** Runs one websocket action; `background` returns once it opened and leaves it to end on its own. */
export async function websocketAction(
  origin: string,
  action: WebSocketAction,
): Promise<{ opened: Promise<void>; done: Promise<WebSocketResult> }> {
  const WebSocketClient = await loadClient()
  const result: WebSocketResult = { opened: false, headers: {}, subprotocol: '', messages: [] }
  const client = new WebSocketClient(origin.replace(/^http/, 'ws') + action.path, action.protocols ?? [], { maxPayload: 64 * 1024 * 1024 })
  let markOpened!: () => void
  const opened = new Promise<void>((resolve) => (markOpened = resolve))
  const done = new Promise<WebSocketResult>((resolve) => {
    const timer = setTimeout(
      () => {
        result.failure ??= `nothing ended the websocket within ${LIMIT_MS} ms`
        client.terminate()
      },
      action.background === undefined ? LIMIT_MS : LIMIT_MS * 3,
    )
    const finish = (): void => {
      clearTimeout(timer)
      markOpened()
      resolve(result)
    }
    client.once('upgrade', (res) => {
      for (const [name, value] of Object.entries(res.headers)) result.headers[name] = String(value)
    })
    client.once('unexpected-response', (_req, res) => {
      result.status = res.statusCode
      for (const [name, value] of Object.entries(res.headers)) result.headers[name] = String(value)
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        result.body = body
        finish()
      })
      res.on('error', finish)
    })
    client.on('error', (error) => {
      result.failure ??= error.message
      if (!result.opened) finish()
    })
    client.on('message', (data, isBinary) => {
      result.messages.push(frame(data, isBinary))
      if (result.messages.length === (action.expect?.messages?.length ?? -1)) void afterMessages()
    })
    client.once('close', (code, reason) => {
      result.close = { code, reason: String(reason) }
      finish()
    })
    client.once('open', () => {
      result.opened = true
      result.subprotocol = client.protocol
      markOpened()
      for (const sent of action.send ?? [])
        client.send('text' in sent ? sent.text : Buffer.from(sent.bytesHex, 'hex'), { binary: !('text' in sent) })
      if (action.sendSizeBytes !== undefined) client.send('x'.repeat(action.sendSizeBytes))
      if ((action.expect?.messages?.length ?? 0) === 0) void afterMessages()
    })
  })
  // What the client does once it heard what it waited for.
  const afterMessages = async (): Promise<void> => {
    if (action.terminate === true) client.terminate()
    else if (action.closeWith !== undefined) client.close(action.closeWith.code, action.closeWith.reason)
    else if (action.expect?.close === undefined && action.background === undefined && action.sendSizeBytes === undefined) client.close(1000)
  }
  return Promise.resolve({ opened, done })
}

/** Differences between what was expected and what the client saw, as sentences. */
export function checkWebSocket(expect: WebSocketExpect | undefined, got: WebSocketResult, label: string): string[] {
  const failures: string[] = []
  const e = expect ?? {}
  if (e.fails === true) {
    if (got.opened || got.status !== undefined) failures.push(`${label}: the websocket was answered, expected the connection to fail`)
    return failures
  }
  if (e.status !== undefined) {
    if (got.status !== e.status)
      failures.push(`${label}: status ${got.status ?? (got.opened ? '101 (accepted)' : got.failure)}, expected ${e.status}`)
  } else if (!got.opened) {
    failures.push(`${label}: the handshake failed (${got.status ?? got.failure}), expected it to be accepted`)
    return failures
  }
  for (const part of e.bodyIncludes ?? []) if (!(got.body ?? '').includes(part)) failures.push(`${label}: body lacks '${part}'`)
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    if (got.headers[name] !== value) failures.push(`${label}: header ${name} is ${JSON.stringify(got.headers[name])}, expected '${value}'`)
  }
  if (e.subprotocol !== undefined && got.subprotocol !== e.subprotocol) {
    failures.push(`${label}: subprotocol '${got.subprotocol}', expected '${e.subprotocol}'`)
  }
  if (e.messages !== undefined && JSON.stringify(got.messages) !== JSON.stringify(e.messages)) {
    failures.push(`${label}: messages ${JSON.stringify(got.messages)}, expected ${JSON.stringify(e.messages)}`)
  }
  if (e.json !== undefined) {
    const first = got.messages[0]
    let parsed: Record<string, unknown> = {}
    try {
      parsed = first !== undefined && 'text' in first ? (JSON.parse(first.text) as Record<string, unknown>) : {}
    } catch {
      failures.push(`${label}: the first message is not JSON`)
    }
    for (const [key, value] of Object.entries(e.json)) {
      if (JSON.stringify(parsed[key]) !== JSON.stringify(value)) {
        failures.push(`${label}: ${key} is ${JSON.stringify(parsed[key])}, expected ${JSON.stringify(value)}`)
      }
    }
  }
  if (e.close !== undefined) {
    const codes = e.close.code === undefined ? null : ([] as number[]).concat(e.close.code)
    if (got.close === undefined) failures.push(`${label}: the server never closed the websocket${got.failure ? ` (${got.failure})` : ''}`)
    else {
      if (codes !== null && !codes.includes(got.close.code))
        failures.push(`${label}: close code ${got.close.code}, expected ${codes.join(' or ')}`)
      if (e.close.reason !== undefined && got.close.reason !== e.close.reason) {
        failures.push(`${label}: close reason '${got.close.reason}', expected '${e.close.reason}'`)
      }
    }
  }
  return failures
}
