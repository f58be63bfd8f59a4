// The public surface, name by name: what each entry point of the package exports, types
// included, read off the compiler. Moving a file or renaming an internal must not change it;
// a name added on purpose is added here in the same commit.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import ts from 'typescript'

const publicNames: Record<string, { entry: string; names: string[] }> = {
  tsgi: {
    entry: 'src/index.ts',
    names: [
      'App',
      'AppState',
      'BodyTooLargeError',
      'ClientDisconnectedError',
      'ClusterServer',
      'ClusterTrace',
      'ConsumedBodyPolicy',
      'EmbedOptions',
      'Embedded',
      'ErrorCode',
      'FetchHandler',
      'FromNodeHandlerOptions',
      'HttpDisconnect',
      'HttpHandler',
      'HttpReceiveMessage',
      'HttpRequest',
      'HttpResponseBody',
      'HttpResponseStart',
      'HttpScope',
      'HttpSendMessage',
      'InvalidArgumentError',
      'LifecycleTrace',
      'LifespanContext',
      'LifespanFn',
      'LifespanHook',
      'LifespanManager',
      'LifespanManagerOptions',
      'LifespanReceiveMessage',
      'LifespanScope',
      'LifespanSendMessage',
      'LifespanShutdown',
      'LifespanShutdownComplete',
      'LifespanShutdownError',
      'LifespanShutdownFailed',
      'LifespanStartup',
      'LifespanStartupComplete',
      'LifespanStartupError',
      'LifespanStartupFailed',
      'LifespanState',
      'LifespanTimeoutError',
      'Logger',
      'NodeHandler',
      'NodeHandlerOptions',
      'NodeRequestHandler',
      'Phase',
      'PrimaryHooks',
      'ProtocolError',
      'ReadBodyOptions',
      'Receive',
      'ReceiveMessage',
      'RestartOptions',
      'Route',
      'RouterOptions',
      'Scope',
      'Send',
      'SendMessage',
      'ServeOptions',
      'Server',
      'State',
      'StateUpdate',
      'ServerClosedError',
      'ServiceUnavailableError',
      'TSGI_VERSION',
      'TimingNode',
      'Timings',
      'TlsFileError',
      'TlsFiles',
      'TlsInline',
      'TlsOptions',
      'ToFetchHandlerOptions',
      'TrustProxy',
      'TsgiInfo',
      'WebSocketAccept',
      'WebSocketClose',
      'WebSocketClosedError',
      'WebSocketConnect',
      'WebSocketDisconnect',
      'WebSocketHttpResponseBody',
      'WebSocketHttpResponseStart',
      'WebSocketOptions',
      'WebSocketReceive',
      'WebSocketReceiveMessage',
      'WebSocketScope',
      'WebSocketSend',
      'WebSocketSendMessage',
      'WebSocketState',
      'WorkerInfo',
      'WorkerPhase',
      'embed',
      'fromFetch',
      'fromNodeHandler',
      'httpOnly',
      'lifecycleTransitions',
      'lifespanTransitions',
      'mount',
      'readBody',
      'readText',
      'route',
      'router',
      'sendJson',
      'sendText',
      'serve',
      'shutdownBudgetMs',
      'toFetchHandler',
      'toNodeHandler',
      'websocketTransitions',
      'withLifespan',
    ],
  },
  'tsgi/express': { entry: 'src/embed/express.ts', names: ['EmbedOptions', 'Embedded', 'routeUpgrade', 'toExpress'] },
  'tsgi/fastify': { entry: 'src/embed/fastify.ts', names: ['EmbedOptions', 'Embedded', 'fromFastify', 'routeUpgrade', 'tsgiPlugin'] },
  'tsgi/hono': { entry: 'src/embed/hono.ts', names: ['EmbedOptions', 'Embedded', 'routeUpgrade', 'toHono'] },
  'tsgi/otel': { entry: 'src/otel/instrumentation.ts', names: ['TsgiInstrumentation', 'TsgiInstrumentationConfig', 'tsgiInstrumentation'] },
  'tsgi/mcp': {
    entry: 'src/mcp/app.ts',
    names: [
      'AuthInfo',
      'AuthOptions',
      'CorsOptions',
      'McpApp',
      'McpAppOptions',
      'McpServerContext',
      'McpServerFactory',
      'McpServerLike',
      'MemoryEventStore',
      'mcpApp',
    ],
  },
  'tsgi/mcp-server': {
    entry: 'src/mcp-server/app.ts',
    names: [
      'AuthInfo',
      'AuthOptions',
      'CorsOptions',
      'McpServerApp',
      'McpServerAppFactory',
      'McpServerAppOptions',
      'McpServerContext',
      'REQUEST_STATE_KEY_ENV',
      'ServerEvent',
      'ServerEventBus',
      'ServerNotifier',
      'mcpServerApp',
    ],
  },
  'tsgi/a2a': {
    entry: 'src/a2a/app.ts',
    names: [
      'A2aApp',
      'A2aAppOptions',
      'AgentCardInput',
      'AuthInfo',
      'AuthOptions',
      'AuthenticatedUser',
      'BoundedTaskStore',
      'CorsOptions',
      'LocalExecution',
      'PublicUrl',
      'SharedTasks',
      'a2aApp',
      'lifespanState',
    ],
  },
  'tsgi/a2a-postgres': {
    entry: 'src/a2a-postgres/postgres-tasks.ts',
    names: ['PostgresTasks', 'PostgresTasksOptions', 'postgresTasks'],
  },
  'tsgi/agent': {
    entry: 'src/agent/agent.ts',
    names: [
      'A2aAppOptions',
      'AgentAppOptions',
      'AgentApps',
      'AgentOptions',
      'AgentTransport',
      'AuthInfo',
      'AuthOptions',
      'CorsOptions',
      'McpAppOptions',
      'SharedAppOptions',
      'StdioAgent',
      'agent',
      'agentApp',
    ],
  },
}

function exportedNames(program: ts.Program, file: string): string[] {
  const source = program.getSourceFile(file)
  assert.ok(source !== undefined, `${file} is not part of the program`)
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(source)
  assert.ok(module !== undefined, `${file} is not a module`)
  return checker
    .getExportsOfModule(module)
    .map((symbol) => symbol.name)
    .sort()
}

const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
assert.ok(config !== undefined, 'tsconfig.json could not be read')
const program = ts.createProgram(
  Object.values(publicNames).map((p) => p.entry),
  config.options,
)

for (const [specifier, { entry, names }] of Object.entries(publicNames)) {
  test(`${specifier} exports exactly its public names, types included (${entry})`, () => {
    assert.deepEqual(exportedNames(program, entry), [...names].sort())
  })
}

test('package.json maps every entry point to the built file of its source', async () => {
  const { default: pkg } = await import('../package.json', { with: { type: 'json' } })
  for (const [specifier, { entry }] of Object.entries(publicNames)) {
    const key = specifier === 'tsgi' ? '.' : `./${specifier.slice('tsgi/'.length)}`
    const built = `./dist/${entry.replace(/\.ts$/, '')}`
    assert.deepEqual((pkg.exports as Record<string, unknown>)[key], { types: `${built}.d.ts`, default: `${built}.js` }, key)
  }
})
