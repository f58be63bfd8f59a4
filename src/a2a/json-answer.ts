// A JSON-RPC answer written as it is serialised: a list of tasks goes out one task at a time,
// each write waiting for the socket to take the previous one, so a client that never reads
// holds at most one task's text and the socket's buffer, not the whole page in one string.

import type { Send } from '../protocol/types.ts'

const encoder = new TextEncoder()

/** The answer, in one piece unless its result carries a `tasks` list. */
export async function sendAnswer(send: Send, answer: { result?: unknown }, extra: Array<[string, string]>): Promise<void> {
  const result = answer.result
  const tasks = result !== null && typeof result === 'object' ? (result as { tasks?: unknown }).tasks : undefined
  if (!Array.isArray(tasks) || tasks.length < 2) {
    const body = encoder.encode(JSON.stringify(answer))
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [['content-type', 'application/json'], ['content-length', String(body.byteLength)], ...extra],
    })
    await send({ type: 'http.response.body', body })
    return
  }
  const { tasks: _tasks, ...rest } = result as Record<string, unknown>
  const { result: _result, ...envelope } = answer
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json'], ...extra] })
  // `{...envelope, "result": {...rest, "tasks": [` then each task, then `]}}`.
  const head = JSON.stringify({ ...envelope, result: rest }).slice(0, -2)
  const opening = `${head}${Object.keys(rest).length > 0 ? ',' : ''}"tasks":[`
  await send({ type: 'http.response.body', body: encoder.encode(opening), moreBody: true })
  for (let i = 0; i < tasks.length; i++) {
    const piece = `${i === 0 ? '' : ','}${JSON.stringify(tasks[i])}`
    await send({ type: 'http.response.body', body: encoder.encode(piece), moreBody: true })
  }
  await send({ type: 'http.response.body', body: encoder.encode(']}}') })
}
