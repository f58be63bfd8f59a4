// Websocket echo round trips: tsgi's bridge (serve() on ws in noServer mode, the messages
// checked against the websocket table) against bare ws on node:http, in the same run.

import type { Workload } from '../../workload.ts'
import { websocketLoad } from '../../websocket-load.ts'

export const workload: Workload = {
  title: 'websocket echo round trips (64-byte text messages, one in flight per connection)',
  baseline: 'raw-ws',
  bar: 0.9,
  connections: 50,
  pipelining: 1,
  load: websocketLoad,
  async prepare(name, origin) {
    const url = `${origin.replace(/^http/, 'ws')}/echo`
    const check = await websocketLoad({ url, connections: 1, pipelining: 1, duration: 0.05 })
    if (check.requests.total === 0 || check.errors > 0) throw new Error(`${name} did not echo the messages sent to ${url}`)
    return { url }
  },
}
