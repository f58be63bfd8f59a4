// A chat server on websockets: one room per path (ws://host/rooms/<name>), every text message
// broadcast to the room, the members' count kept in the lifespan state (GET /stats reads it),
// and a last broadcast to everyone when the server begins to drain. The drain then closes each
// websocket with 1001 (the client should reconnect elsewhere) before the shutdown hooks run.
//
//   npx tsx examples/websocket-chat.ts      (PORT, HOST, DRAIN_TIMEOUT_MS and MAX_CONNECTIONS_PER_CLIENT honoured)
//
// Try it: npx wscat -c ws://127.0.0.1:3000/rooms/lobby

import { type App, mount, route, router, sendJson, serve } from '../src/index.ts'

type Deliver = (text: string) => Promise<void>

/** The rooms and their members: made at startup, shared by every connection through the state. */
class Chat {
  readonly rooms = new Map<string, Set<Deliver>>()
  members = 0

  join(room: string, deliver: Deliver): void {
    const members = this.rooms.get(room) ?? new Set<Deliver>()
    this.rooms.set(room, members)
    members.add(deliver)
    this.members++
  }

  leave(room: string, deliver: Deliver): void {
    const members = this.rooms.get(room)
    if (members?.delete(deliver) !== true) return
    this.members--
    if (members.size === 0) this.rooms.delete(room)
  }

  /** Sends to each member; one that left in the meantime is skipped, not an error for the rest. */
  async broadcast(room: string, text: string): Promise<void> {
    await Promise.allSettled([...(this.rooms.get(room) ?? [])].map((deliver) => deliver(text)))
  }

  async broadcastAll(text: string): Promise<void> {
    await Promise.allSettled([...this.rooms.keys()].map((room) => this.broadcast(room, text)))
  }
}

const chatOf = (state: Record<string, unknown>): Chat => state.chat as Chat

const rooms: App = async (scope, receive, send) => {
  if (scope.type === 'lifespan') {
    await receive()
    const chat = new Chat()
    scope.state.chat = chat
    // Aborted as the drain begins, before the websockets get their close frames: the last word.
    scope.draining?.addEventListener('abort', () => void chat.broadcastAll('server: shutting down, please reconnect'))
    await send({ type: 'lifespan.startup.complete' })
    await receive()
    await send({ type: 'lifespan.shutdown.complete' })
    return
  }
  if (scope.type !== 'websocket') return
  const chat = chatOf(scope.state)
  const room = scope.path.slice(1) || 'lobby'
  await receive()
  await send({ type: 'websocket.accept' })
  const deliver: Deliver = (text) => send({ type: 'websocket.send', text })
  chat.join(room, deliver)
  try {
    for (;;) {
      const message = await receive()
      if (message.type === 'websocket.disconnect') return
      if (message.type === 'websocket.receive' && message.text !== undefined) await chat.broadcast(room, message.text)
    }
  } finally {
    chat.leave(room, deliver)
  }
}

const stats: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const chat = chatOf(scope.state)
  await sendJson(send, 200, { members: chat.members, rooms: chat.rooms.size })
}

const drainTimeoutMs = process.env.DRAIN_TIMEOUT_MS === undefined ? undefined : Number(process.env.DRAIN_TIMEOUT_MS)
// Every member keeps a connection open: one address (a load test, a NAT) may need more than the default 1 000.
const perClient = process.env.MAX_CONNECTIONS_PER_CLIENT === undefined ? undefined : Number(process.env.MAX_CONNECTIONS_PER_CLIENT)
await serve(router([mount('/rooms', rooms), route('GET', '/stats', stats)]), {
  ...(drainTimeoutMs === undefined ? {} : { drainTimeoutMs }),
  ...(perClient === undefined ? {} : { maxConnectionsPerClient: perClient }),
  onShutdown: [({ state }) => console.log(`chat: members left at shutdown: ${chatOf(state).members}`)],
})
