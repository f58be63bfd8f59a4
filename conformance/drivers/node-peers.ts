// The Node frameworks as conformance peers: each runs its own scenario app
// (conformance/peers/node/<name>.ts, transpiled once like the tsgi scenario app) through the
// process driver, with what its framework can and cannot be asked to do. What a framework has
// no way to express is skipped with these reasons, never counted as passed or failed.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nodeCommand } from './precompile.ts'
import type { ProcessServer } from './process.ts'
import type { Capability } from './types.ts'

/** The peers' sources: next to this file, or (from dist/, which does not build them) the repository's copy. */
const peerDir =
  [new URL('../peers/node/', import.meta.url), new URL('../../../conformance/peers/node/', import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../peers/node/', import.meta.url))

/** Transpiled once like the tsgi scenario app, so each scenario's start skips tsx. */
function peerCommand(name: string): string[] {
  return nodeCommand(`${peerDir}${name}.ts`)
}

/**
 * Every Node peer: HTTP, sockets, composition by mounting, signals, exit codes, a taken port, a
 * body limit, and websockets through ws on the node server's 'upgrade' event (websocket-recipe.ts).
 */
const common: Capability[] = ['http', 'sockets', 'compose', 'signals', 'exit-code', 'bind', 'body-limit', 'websocket']

const hookLimits: Partial<Record<Capability, string>> = {
  'lifespan-protocol':
    "a framework's startup and shutdown work are functions: returning is the answer, so there is no scope, no second answer and no message before startup",
  'router-timeouts': 'no per-child time limits: children are mounted routers, not apps with their own lifespan',
  'log-details': 'no switch for printing hook errors in full',
}

export const nodePeers = {
  fastify: (): ProcessServer => ({
    name: 'fastify',
    command: peerCommand('fastify'),
    can: [...common, 'hooks', 'lifespan-fns', 'server-timeouts'],
    because: hookLimits,
  }),
  'express-terminus': (): ProcessServer => ({
    name: 'express-terminus',
    command: peerCommand('express-terminus'),
    can: common,
    because: {
      ...hookLimits,
      hooks:
        'Express has no startup hooks (startup is code run before listen); terminus has shutdown callbacks only, which hold the app’s own cleanup',
      'lifespan-fns': 'Express has no lifespan functions',
      'server-timeouts':
        'no startup or shutdown time limit: startup is plain code before listen, and terminus bounds only the wait for open connections (`timeout`)',
    },
  }),
  'hono-node': (): ProcessServer => ({
    name: 'hono-node',
    command: peerCommand('hono-node'),
    can: common,
    because: {
      ...hookLimits,
      hooks: 'Hono and @hono/node-server have no lifecycle hooks: startup is code before serve(), shutdown code in the signal handlers',
      'lifespan-fns': 'Hono has no lifespan functions',
      'server-timeouts': 'no startup, shutdown or drain time limit to set',
    },
  }),
} as const
