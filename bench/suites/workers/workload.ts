// v1 MCP tools/call in one stateful session: on serve({ workers: 2 }) with a fresh connection
// per call (about half relayed to the worker that owns the session), against one process on
// keep-alive connections. No bar: the figure is what a relayed call costs.

import type { LoadOptions } from '../../autocannon.ts'
import type { Workload } from '../../workload.ts'
import { toolCallLoad } from '../mcp/session-load.ts'
import { TOOL } from '../mcp/tool.ts'
import { httpLoad } from './http-load.ts'

export const workload: Workload = {
  title: `POST /mcp tools/call '${TOOL}' in one session; -fresh servers get a new connection per call`,
  baseline: 'single-keepalive',
  controls: { 'single-fresh': 'single-keepalive', 'workers-keepalive': 'single-keepalive' },
  bar: 0,
  connections: 16,
  pipelining: 1,
  async prepare(name, origin) {
    const load = await toolCallLoad(name, origin)
    if (!name.endsWith('-fresh')) return load
    const requests = load.requests!.map((r) => ({ ...r, headers: { ...r.headers, connection: 'close' } }))
    return { ...load, requests } satisfies Omit<LoadOptions, 'connections' | 'pipelining' | 'duration'>
  },
  load: httpLoad,
}
