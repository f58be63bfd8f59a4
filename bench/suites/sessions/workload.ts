// tools/call in one session with bearer auth on against off (bar 0.95: auth must cost little),
// and, once after the rounds, RSS growth per 10,000 abandoned sessions with and without the cap.

import type { Workload } from '../../workload.ts'
import { toolCallLoad } from '../mcp/session-load.ts'
import { TOOL } from '../mcp/tool.ts'
import { sessionMemory } from './memory.ts'
import { BENCH_TOKEN } from './token.ts'

export const workload: Workload = {
  title: `POST /mcp tools/call '${TOOL}' in one session, bearer auth on vs off`,
  baseline: 'tsgi-auth-off',
  bar: 0.95,
  connections: 50,
  pipelining: 1,
  // The token is sent to both: the auth-off server ignores it, so only its checking is measured.
  prepare: (name, origin) => toolCallLoad(name, origin, { authorization: `Bearer ${BENCH_TOKEN}` }),
  report: sessionMemory,
}
