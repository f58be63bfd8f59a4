// The default ServerEventBus of mcpServerApp: a change event published in any worker of
// serve({ workers }) reaches the `subscriptions/listen` streams open on every worker, over the
// cluster's broadcast. Without workers it is an in-process bus. Several machines need a bus
// over their own pub/sub instead (the README shows one on PostgreSQL LISTEN/NOTIFY).

import type { ServerEvent, ServerEventBus } from '@modelcontextprotocol/server'
import { clusterBroadcast } from '../cluster/broadcast.ts'

/** Apps built in the same order in every worker (the same script) get the same topic. */
let built = 0

export function clusterEventBus(): ServerEventBus {
  const topic = clusterBroadcast<ServerEvent>(`mcp-server:events:${built++}`)
  return { publish: (event) => topic.publish(event), subscribe: (listener) => topic.subscribe(listener) }
}
