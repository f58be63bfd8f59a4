// The main job: one process, one port, an MCP server and an A2A agent that both read state
// owned by a scheduler. The scheduler starts in onStartup, before the port opens, and stops
// in onShutdown, after the last stream ended; Ctrl-C (SIGINT) or SIGTERM shuts down cleanly.
//
//   npm start                      # or: npx tsx examples/agent.ts   (PORT, HOST, HEALTH_PORT, TICK_MS honoured)
//
// MCP is at /mcp with one tool, `scheduler_ticks`, served by the v2 SDK through mcpServerApp:
// 2026-07-28 clients (stateless, any worker can answer) and 2025-era clients (served statelessly)
// alike; examples/agent-v1.ts is the same agent on the v1 SDK with sessions. A2A (v1.0, JSON-RPC) is
// at / with its card at /.well-known/agent-card.json: any message gets the tick count back;
// a message containing "watch" starts a task that streams the next ticks (SendStreamingMessage)
// until it is done or cancelled. The process logs copy-paste commands for both clients.

import { Role, TaskState, type Message } from '@a2a-js/sdk'
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server'
import { McpServer } from '@modelcontextprotocol/server'
import { postgresTasks } from '../src/a2a-postgres/postgres-tasks.ts'
import { lifespanState } from '../src/a2a/app.ts'
import { agent } from '../src/agent/agent.ts'
import type { AppState, LifespanContext } from '../src/index.ts'
import { mcpServerApp } from '../src/mcp-server/app.ts'
import { Scheduler } from './scheduler.ts'

/** One MCP server per request (the v2 SDK is stateless); its tool reads the scheduler that startup put in the state. */
function mcpServer({ state }: { state: AppState }): McpServer {
  const server = new McpServer({ name: 'tsgi-agent-example', version: '1.0.0' })
  server.registerTool('scheduler_ticks', { description: 'How many times the background scheduler has ticked' }, async () => ({
    content: [{ type: 'text', text: String(state.scheduler.ticks) }],
  }))
  return server
}

const text = (value: string) => ({ content: { $case: 'text' as const, value }, metadata: undefined, filename: '', mediaType: 'text/plain' })

function agentMessage(contextId: string, taskId: string, value: string): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [text(value)],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  }
}

/** Answers with the tick count; "watch" streams the next WATCH_TICKS ticks as a cancellable task. */
class TicksExecutor implements AgentExecutor {
  readonly #cancelled = new Set<string>()
  /** The context of each task being watched, for the CANCELED that cancelTask publishes. */
  readonly #watching = new Map<string, string>()

  // CANCELED is published here, at once: CancelTask waits for it; the watch loop only stops.
  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const contextId = this.#watching.get(taskId)
    if (contextId === undefined) return
    this.#cancelled.add(taskId)
    const status = {
      state: TaskState.TASK_STATE_CANCELED,
      message: agentMessage(contextId, taskId, 'Stopped watching.'),
      timestamp: new Date().toISOString(),
    }
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status, metadata: {} }))
  }

  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { scheduler } = lifespanState(context)
    const { taskId, contextId } = context
    const asked = context.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join(' ')
    if (!/watch/i.test(asked)) {
      bus.publish(AgentEvent.message(agentMessage(contextId, '', `The scheduler has ticked ${scheduler.ticks} times.`)))
      return
    }
    const status = (state: TaskState, note?: string) => ({
      state,
      message: note === undefined ? undefined : agentMessage(contextId, taskId, note),
      timestamp: new Date().toISOString(),
    })
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: status(TaskState.TASK_STATE_SUBMITTED),
        artifacts: [],
        history: [context.userMessage],
        metadata: {},
      }),
    )
    this.#watching.set(taskId, contextId)
    const total = Number(process.env.WATCH_TICKS ?? 20)
    let seen = scheduler.ticks
    try {
      for (let reported = 0; reported < total; ) {
        if (this.#cancelled.has(taskId)) return
        if (scheduler.ticks !== seen) {
          seen = scheduler.ticks
          reported++
          bus.publish(
            AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_WORKING, `tick ${seen}`), metadata: {} }),
          )
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(scheduler.everyMs, 50)))
      }
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: status(TaskState.TASK_STATE_COMPLETED, `Watched ${total} ticks.`),
          metadata: {},
        }),
      )
    } finally {
      this.#watching.delete(taskId)
      this.#cancelled.delete(taskId)
    }
  }
}

const host = process.env.HOST !== undefined && process.env.HOST !== '' ? process.env.HOST : '127.0.0.1'
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host)

const server = await agent({
  host,
  // On a loopback address, only loopback Host headers, on both /mcp and /: a web page cannot
  // reach this server through DNS rebinding. Listening on other addresses leaves the check to
  // the network (or set allowedHosts to the names clients use).
  ...(loopback ? { allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] } : {}),
  mcp: mcpServerApp({ server: mcpServer }),
  a2a: {
    card: {
      name: 'tsgi example agent',
      description: 'Reports the ticks of a background scheduler; "watch" streams the next ticks.',
      skills: [
        {
          id: 'ticks',
          name: 'Scheduler ticks',
          description: 'How many times the scheduler ticked',
          tags: ['demo'],
          examples: ['how many ticks?', 'watch'],
          inputModes: ['text'],
          outputModes: ['text'],
          securityRequirements: [],
        },
      ],
    },
    executor: new TicksExecutor(),
    // With DATABASE_URL (as deploy/kubernetes.yaml sets it), tasks live in PostgreSQL and every
    // replica finds, follows and cancels every task; without it, in this process's memory.
    ...(process.env.DATABASE_URL ? { tasks: postgresTasks({ connectionString: process.env.DATABASE_URL }) } : {}),
  },
  onStartup: [
    function startScheduler({ state, logger }: LifespanContext) {
      state.scheduler = new Scheduler(Number(process.env.TICK_MS ?? 1000)).start()
      logger.info('scheduler started')
    },
  ],
  onShutdown: [
    async function stopScheduler({ state, logger }: LifespanContext) {
      const { scheduler } = state
      await scheduler.stop()
      logger.info(`scheduler stopped after ${scheduler.ticks} ticks`)
    },
  ],
  // GET /livez and /readyz for the probes of deploy/kubernetes.yaml; readiness fails first on
  // SIGTERM. With HEALTH_PORT (as the manifest sets it) they also answer on a listener of their
  // own, which a flood filling the app port's maxConnections cannot reach: the pod is not
  // restarted for being busy.
  health: process.env.HEALTH_PORT ? { port: Number(process.env.HEALTH_PORT) } : true,
})

// Copy-paste calls for a real client of each protocol, run from this directory (the SDKs are
// among its dependencies); shell-quoted for a double-quoted node -e.
const url = server.url
const mcpCall = `import('@modelcontextprotocol/client').then(async ({ Client, StreamableHTTPClientTransport: T }) => { const c = new Client({ name: 'cli', version: '1' }, { versionNegotiation: { mode: 'auto' } }); await c.connect(new T(new URL('${url}/mcp'))); console.log(c.getProtocolEra(), JSON.stringify(await c.callTool({ name: 'scheduler_ticks' }))); await c.close() })`
const a2aCall = `import('@a2a-js/sdk/client').then(async ({ ClientFactory }) => { const c = await new ClientFactory().createFromUrl('${url}/'); const m = { messageId: crypto.randomUUID(), role: 1, parts: [{ content: { $case: 'text', value: 'how many ticks?' } }] }; console.log(JSON.stringify(await c.sendMessage({ message: m }))) })`
console.info(`
MCP  ${url}/mcp  (tool: scheduler_ticks)
  node -e "${mcpCall.replaceAll('"', '\\"')}"
A2A  ${url}/  (card: ${url}/.well-known/agent-card.json)
  node -e "${a2aCall.replaceAll('"', '\\"').replaceAll('$', '\\$')}"
  curl -s ${url}/ -H 'content-type: application/json' -H 'a2a-version: 1.0' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"how many ticks?"}]}}}'
Ctrl-C stops it gracefully.`)
