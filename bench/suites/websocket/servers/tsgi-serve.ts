// tsgi through serve(): the upgrade handler, the websocket table, a router's mount hop, and an
// app that echoes each websocket.receive as a websocket.send.

import { type App, mount, router, serve } from '../../../../src/index.ts'
import { announcePort } from '../../../contender.ts'

const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'websocket') return
  await receive()
  await send({ type: 'websocket.accept' })
  for (;;) {
    const message = await receive()
    if (message.type === 'websocket.disconnect') return
    if (message.type !== 'websocket.receive') continue
    await send(
      message.text !== undefined ? { type: 'websocket.send', text: message.text } : { type: 'websocket.send', bytes: message.bytes },
    )
  }
}

const server = await serve(router([mount('/echo', echo)]), { port: 0, host: '127.0.0.1', signals: false, logger: false })
announcePort(Number(new URL(server.url).port))
