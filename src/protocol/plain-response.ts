// The smallest complete answer in messages: a short plain-text status page (404, 405, 500…),
// with its length declared. Only message shapes, no I/O: whoever holds `send` uses it, so the
// router and both bridges answer the same way.

import type { Send } from './types.ts'

const encoder = new TextEncoder()

export async function sendPlain(send: Send, status: number, text: string, extra: Array<[string, string]> = []): Promise<void> {
  const body = encoder.encode(text)
  await send({
    type: 'http.response.start',
    status,
    headers: [['content-type', 'text/plain; charset=utf-8'], ['content-length', String(body.byteLength)], ...extra],
  })
  await send({ type: 'http.response.body', body })
}
