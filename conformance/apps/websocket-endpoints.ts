// The websocket endpoint vocabulary every scenario app answers (documented in
// conformance/README.md), picked like the HTTP one by `?do=` on any path:
//   echo (default)    accept (the first subprotocol offered, header x-conformance: yes), echo each message
//   refuse            websocket.close before accept (HTTP 403)
//   deny              the denial response: 401, header x-denied: yes, body 'denied' in two chunks
//   close             accept; on the first message close with 4001 'bye'
//   scope             accept; send the scope's path, rootPath, queryString, scheme and subprotocols as JSON text
//   send-after-close  accept; once disconnected, try a send: records `<name>.ws.send-after-close` ok|error
// Each records `<name>.ws.connect`, `<name>.ws.message` per message received and, when the connection ends, `<name>.ws.disconnect` (detail: code reason).

import type { Receive, Send, WebSocketScope } from '../../src/index.ts'
import type { Recorder } from './trace.ts'

export async function handleWebSocket(name: string, scope: WebSocketScope, receive: Receive, send: Send, record: Recorder): Promise<void> {
  const verb = new URLSearchParams(scope.queryString).get('do') ?? 'echo'
  const first = await receive()
  record(`${name}.ws.connect`, first.type)
  if (verb === 'refuse') {
    await send({ type: 'websocket.close' })
    return
  }
  if (verb === 'deny') {
    await send({ type: 'websocket.http.response.start', status: 401, headers: [['x-denied', 'yes']] })
    await send({ type: 'websocket.http.response.body', body: 'den', moreBody: true })
    await send({ type: 'websocket.http.response.body', body: 'ied' })
    return
  }
  await send({ type: 'websocket.accept', subprotocol: scope.subprotocols[0] ?? null, headers: [['x-conformance', 'yes']] })
  if (verb === 'scope') {
    const { path, rootPath, queryString, scheme, subprotocols } = scope
    await send({ type: 'websocket.send', text: JSON.stringify({ path, rootPath, queryString, scheme, subprotocols }) })
  }
  for (;;) {
    const message = await receive()
    if (message.type === 'websocket.disconnect') {
      record(`${name}.ws.disconnect`, `${message.code} ${message.reason ?? ''}`.trim())
      if (verb === 'send-after-close') {
        const outcome = await send({ type: 'websocket.send', text: 'too late' }).then(
          () => 'ok',
          () => 'error',
        )
        record(`${name}.ws.send-after-close`, outcome)
      }
      return
    }
    if (message.type !== 'websocket.receive') continue
    record(`${name}.ws.message`, message.text !== undefined ? `text ${message.text.length}` : `bytes ${message.bytes?.byteLength}`)
    if (verb === 'close') {
      await send({ type: 'websocket.close', code: 4001, reason: 'bye' })
      continue
    }
    await send(
      message.text !== undefined ? { type: 'websocket.send', text: message.text } : { type: 'websocket.send', bytes: message.bytes },
    )
  }
}
