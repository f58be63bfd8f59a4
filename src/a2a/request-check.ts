// What @a2a-js/sdk 1.3 lets through, checked before it sees a request. JSON-RPC 2.0 says a
// body that is JSON but not a request object (a bare string, "jsonrpc": "1.0", no method) is
// -32600 Invalid Request; the SDK re-parses a string body and answers with V8's parser text.
// The A2A proto marks a message's role and parts REQUIRED, and the SDK's fromJSON turns any
// value into a string (an object as contextId becomes "[object Object]"): each field's type is
// checked here, -32602 with the field's name. Negative historyLength, refused by the proto's
// comment ("must be non-negative"), the SDK takes as zero.

import { approximateBytes } from './task-size.ts'

export interface RequestProblem {
  code: -32600 | -32602
  message: string
}

type Fields = Record<string, unknown>

const MESSAGE_METHODS = new Set(['SendMessage', 'SendStreamingMessage'])
const TASK_ID_METHODS = new Set(['GetTask', 'CancelTask', 'SubscribeToTask'])
const ROLES = new Set<unknown>(['ROLE_USER', 'ROLE_AGENT', 1, 2])
const PART_CONTENTS = ['text', 'raw', 'url', 'data'] as const

/** -32600 unless `request` is a JSON-RPC 2.0 request object; the message says what is wrong. */
export function envelopeProblem(request: unknown): RequestProblem | null {
  const invalid = (why: string): RequestProblem => ({ code: -32600, message: `Invalid Request: ${why}` })
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return invalid('the body must be a JSON-RPC 2.0 request object')
  }
  const { jsonrpc, method, id } = request as Fields
  if (jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"')
  if (typeof method !== 'string' || method === '') return invalid('"method" must be a non-empty string')
  if ('id' in request && id !== null && typeof id !== 'string' && !Number.isInteger(id)) {
    return invalid('"id" must be a string, an integer or null')
  }
  return null
}

/** -32602 when the params of a known method break the A2A proto's types or REQUIRED fields. */
export function paramsProblem(method: string, params: unknown, maxMessageBytes: number): RequestProblem | null {
  // Other methods are the SDK's to answer (-32601 for one it does not know).
  if (!MESSAGE_METHODS.has(method) && !TASK_ID_METHODS.has(method) && method !== 'ListTasks') return null
  if (!isObject(params)) return bad('params must be an object')
  const problem = firstProblem(method, params)
  if (problem !== null) return bad(problem)
  if (MESSAGE_METHODS.has(method)) {
    const bytes = approximateBytes(params.message)
    if (bytes > maxMessageBytes)
      return bad(`message is about ${bytes} bytes; this agent takes at most ${maxMessageBytes} (maxMessageBytes)`)
  }
  return null
}

function firstProblem(method: string, params: Fields): string | null {
  const tenant = optionalString(params, 'tenant')
  if (tenant !== null) return tenant
  if (MESSAGE_METHODS.has(method)) {
    const configuration = params.configuration
    if (configuration !== undefined && configuration !== null) {
      if (!isObject(configuration)) return 'configuration must be an object'
      const length = historyLengthProblem(configuration, 'configuration.historyLength')
      if (length !== null) return length
    }
    return messageProblem(params.message)
  }
  if (TASK_ID_METHODS.has(method)) {
    if (typeof params.id !== 'string' || params.id.trim() === '') return 'id must be a non-empty string (the task id)'
    if (method === 'GetTask') return historyLengthProblem(params, 'historyLength')
  }
  if (method === 'ListTasks') {
    for (const name of ['contextId', 'pageToken', 'statusTimestampAfter']) {
      const problem = optionalString(params, name)
      if (problem !== null) return problem
    }
    return historyLengthProblem(params, 'historyLength')
  }
  return null
}

function messageProblem(message: unknown): string | null {
  if (!isObject(message)) return 'message is required and must be an object'
  const messageId = message.messageId ?? message.message_id
  if (typeof messageId !== 'string' || messageId === '') return 'message.messageId must be a non-empty string'
  if (!ROLES.has(message.role)) return 'message.role is required: "ROLE_USER" or "ROLE_AGENT"'
  for (const [camel, snake] of [
    ['contextId', 'context_id'],
    ['taskId', 'task_id'],
  ] as const) {
    const value = message[camel] ?? message[snake]
    if (value !== undefined && value !== null && typeof value !== 'string') return `message.${camel} must be a string`
  }
  for (const name of ['referenceTaskIds', 'reference_task_ids', 'extensions']) {
    const list = message[name]
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))) {
      return `message.${name} must be an array of strings`
    }
  }
  if (message.metadata !== undefined && message.metadata !== null && !isObject(message.metadata))
    return 'message.metadata must be an object'
  const parts = message.parts
  if (!Array.isArray(parts) || parts.length === 0) return 'message.parts is required: a non-empty array of parts'
  for (let i = 0; i < parts.length; i++) {
    const part: unknown = parts[i]
    if (!isObject(part)) return `message.parts[${i}] must be an object`
    const contents = PART_CONTENTS.filter((name) => part[name] !== undefined && part[name] !== null)
    if (contents.length !== 1) return `message.parts[${i}] must have exactly one of text, raw, url or data`
    const content = contents[0]!
    if (content !== 'data' && typeof part[content] !== 'string') return `message.parts[${i}].${content} must be a string`
  }
  return null
}

function historyLengthProblem(fields: Fields, name: string): string | null {
  const value = fields.historyLength ?? fields.history_length
  if (value === undefined || value === null) return null
  return Number.isInteger(value) && (value as number) >= 0 ? null : `${name} must be an integer >= 0`
}

function optionalString(fields: Fields, name: string): string | null {
  const value = fields[name]
  return value === undefined || value === null || typeof value === 'string' ? null : `${name} must be a string`
}

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function bad(why: string): RequestProblem {
  return { code: -32602, message: `Invalid params: ${why}` }
}
