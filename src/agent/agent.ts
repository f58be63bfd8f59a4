// tsgi/agent: an MCP server and an A2A agent on one port, or either alone, or MCP on stdio,
// with onStartup/onShutdown/lifespan on every transport. The model is the Python AdCP SDK's
// serve(transport='both'): MCP at /mcp, A2A everywhere else.

import { a2aApp, type A2aApp, type A2aAppOptions } from '../a2a/app.ts'
import { a2aOptionNames } from '../a2a/options.ts'
import { mcpOptionNames } from '../mcp/options.ts'
import { authOptionNames } from '../sdk/auth.ts'
import { corsOptionNames } from '../sdk/cors.ts'
import { serveStdio, stderrLogger, type StdioAgent } from './stdio.ts'
import type { McpApp, McpAppOptions } from '../mcp/app.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App, Logger } from '../protocol/types.ts'
import type { SharedAppOptions } from '../sdk/shared-options.ts'
import { mcpChild, stdioOptions } from './mcp-child.ts'
import { router } from '../compose/router.ts'
import { mount } from '../compose/routes.ts'
import cluster from 'node:cluster'

import { serve } from '../cluster/roles.ts'
import type { ClusterServer } from '../cluster/server.ts'
import { readServeOptions, serveOptionNames, type ServeOptions } from '../serve/options.ts'
import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'

export type { StdioAgent } from './stdio.ts'
export type { A2aAppOptions } from '../a2a/app.ts'
export type { McpAppOptions } from '../mcp/app.ts'
export type { AuthInfo, AuthOptions } from '../sdk/auth.ts'
export type { CorsOptions } from '../sdk/cors.ts'
export type { SharedAppOptions } from '../sdk/shared-options.ts'

export type AgentTransport = 'both' | 'mcp' | 'a2a' | 'stdio'

export interface AgentOptions extends ServeOptions, SharedAppOptions {
  /** mcpApp's options, or a built app: mcpApp(...) or mcpServerApp(...) from tsgi/mcp-server (the v2 SDK). */
  mcp?: McpAppOptions | App
  a2a?: A2aAppOptions
  /** Default 'both': MCP at /mcp (and /mcp/...), A2A at every other path. */
  transport?: AgentTransport
  /** stdio only: where frames come from and go to. Default process.stdin / process.stdout. */
  stdin?: NodeJS.ReadableStream
  stdout?: NodeJS.WritableStream
}

/** Every name AgentOptions has: serve()'s and the agent's own; agent() refuses any other. Add new agent options here. */
const agentOptionNames = optionNames<AgentOptions>()([
  ...serveOptionNames,
  'mcp',
  'a2a',
  'transport',
  'stdin',
  'stdout',
  'allowedHosts',
  'cors',
  'auth',
])

/** What agentApp() takes: the apps' part of AgentOptions. */
export type AgentAppOptions = Pick<AgentOptions, 'mcp' | 'a2a' | 'transport' | 'logDetails'> & SharedAppOptions

const agentAppOptionNames = optionNames<AgentAppOptions>()(['mcp', 'a2a', 'transport', 'logDetails', 'allowedHosts', 'cors', 'auth'])

function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

export interface AgentApps {
  app: App
  mcp: McpApp | App | null
  a2a: A2aApp | null
}

const TRANSPORTS: readonly AgentTransport[] = ['both', 'mcp', 'a2a', 'stdio']

/**
 * The HTTP app of an agent, without serving it (to embed it, or mount it elsewhere).
 * @example router([mount('/agents/echo', agentApp({ mcp, a2a }).app)])
 */
export function agentApp(options: AgentAppOptions): AgentApps {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('agentApp() needs an options object')
  refuseUnknownOptions(options, agentAppOptionNames, 'agentApp()', refuse)
  refuseUnknownNested(options, 'agentApp()')
  const transport = readTransport(options.transport)
  if (transport === 'stdio') throw new InvalidArgumentError("agentApp() builds HTTP apps; transport 'stdio' has none (use agent())")
  const shared = sharedOptions(options)
  const mcp = transport === 'a2a' ? null : mcpChild(options.mcp, shared, transport)
  const a2a = transport === 'mcp' ? null : a2aApp({ ...shared, ...need(options.a2a, 'a2a', transport) })
  const routes = [...(mcp === null ? [] : [mount('/mcp', mcp)]), ...(a2a === null ? [] : [mount('/', a2a)])]
  return { app: router(routes), mcp, a2a }
}

/**
 * Serves an agent and resolves once it is listening (or, for stdio, connected). Startup runs
 * the apps' lifespans, `lifespan` setups and `onStartup` hooks first, exactly as serve() does.
 * @example
 * const server = await agent({
 *   mcp: { server: () => buildMcpServer() },
 *   a2a: { card: { name: 'Echo', description: 'Says it back' }, executor: new EchoExecutor() },
 *   onStartup: [({ state }) => { state.scheduler = startScheduler() }],
 *   onShutdown: [({ state }) => state.scheduler.stop()], // typed by declare module 'tsgi' { interface State { ... } }
 * })
 */
export function agent(options: AgentOptions & { transport: 'stdio' }): Promise<StdioAgent>
export function agent(options: AgentOptions): Promise<ClusterServer>
export async function agent(options: AgentOptions): Promise<ClusterServer | StdioAgent> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('agent() needs an options object')
  refuseUnknownOptions(options, agentOptionNames, 'agent()', refuse)
  refuseUnknownNested(options, 'agent()')
  const { mcp, a2a, transport, stdin, stdout, allowedHosts, cors, auth, ...serveOptions } = options
  if (readTransport(transport) === 'stdio') {
    refuseScaleOut(serveOptions)
    // The same options as serve(), checked the same way; only the logger's default differs,
    // since stdout carries protocol frames.
    const config = readServeOptions({ ...serveOptions, logger: serveOptions.logger ?? stderrLogger })
    return serveStdio({
      ...config,
      // The delay lets load balancers stop routing to a replica; a pipe has none to wait for.
      shutdownDelayMs: 0,
      server: stdioOptions(mcp).server,
      stdin: stdin ?? process.stdin,
      stdout: stdout ?? process.stdout,
    })
  }
  // Open SSE streams end when the drain begins: each app listens to its lifespan scope's
  // `draining` signal, so serve() needs no help here.
  const apps = agentApp({ mcp, a2a, transport, allowedHosts, cors, auth, logDetails: serveOptions.logDetails })
  // The cluster-aware serve(): with `workers` this script runs as the primary and as each
  // worker, and every serve() option (primary, restart, reloadGraceMs) means what it means there.
  const server = await serve(apps.app, serveOptions)
  // Every worker shares the primary's URL; one line per machine is enough.
  if (!cluster.isWorker) announce(server.url, apps, serveOptions.logger)
  return server
}

/**
 * The option objects agent() hands on to the apps, checked here so that a typo in one is named
 * with its full path on the call the user wrote (`agent() has no option 'a2a.crad'`), not on an
 * app the user never called. serve()'s own (health, restart, ...) are serve()'s to check.
 */
function refuseUnknownNested(options: AgentAppOptions, where: string): void {
  const nested = [
    ['cors', options.cors, corsOptionNames],
    ['auth', options.auth, authOptionNames],
    ['mcp', options.mcp, mcpOptionNames],
    ['a2a', options.a2a, a2aOptionNames],
  ] as const
  for (const [path, value, known] of nested) {
    // A built app passed as `mcp` is a function; a wrong type is the app's own error to give.
    if (value !== null && typeof value === 'object') refuseUnknownOptions(value, known, where, refuse, path)
  }
}

/** The options that only several processes can honour; stdio is one pipe to one process. */
const SCALE_OUT_OPTIONS = ['workers', 'primary', 'restart', 'reloadGraceMs'] as const

function refuseScaleOut(options: ServeOptions): void {
  for (const name of SCALE_OUT_OPTIONS) {
    const value = options[name]
    if (value === undefined || (name === 'workers' && value === 1)) continue
    throw new InvalidArgumentError(
      `agent() option '${name}' needs HTTP workers, and transport 'stdio' is one pipe to one process; drop '${name}' or serve over HTTP`,
    )
  }
}

function announce(url: string, apps: AgentApps, logger: Logger | false | undefined): void {
  if (logger === false) return
  const log = logger ?? console
  if (apps.mcp !== null) log.info(`tsgi: MCP (streamable HTTP) at ${url}/mcp`)
  if (apps.a2a !== null) log.info(`tsgi: A2A agent card at ${url}/.well-known/agent-card.json, JSON-RPC at ${url}/`)
}

/** The shared options that were given, so that an app's own (spread after) can override them. */
function sharedOptions(options: SharedAppOptions & { logDetails?: boolean }): SharedAppOptions & { logDetails?: boolean } {
  const shared: SharedAppOptions & { logDetails?: boolean } = {}
  if (options.allowedHosts !== undefined) shared.allowedHosts = options.allowedHosts
  if (options.cors !== undefined) shared.cors = options.cors
  if (options.auth !== undefined) shared.auth = options.auth
  if (options.logDetails !== undefined) shared.logDetails = options.logDetails
  return shared
}

function readTransport(value: unknown): AgentTransport {
  if (value === undefined) return 'both'
  if (typeof value === 'string' && (TRANSPORTS as readonly string[]).includes(value)) return value as AgentTransport
  throw new InvalidArgumentError(`agent() transport must be one of ${TRANSPORTS.join(', ')}, got ${JSON.stringify(value)}`)
}

function need<T>(value: T | undefined, part: 'mcp' | 'a2a', transport: AgentTransport): T {
  if (value === undefined || value === null) {
    throw new InvalidArgumentError(`agent() transport '${transport}' needs the '${part}' option`)
  }
  return value
}
