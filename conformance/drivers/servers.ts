// The servers the CLI knows by name, each a process driver with a command and an honest list
// of what it can do. `--command` builds the same driver around any command line.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execLast } from './command-line.ts'
import { nodePeers } from './node-peers.ts'
import { nodeCommand } from './precompile.ts'
import { processDriver, type ProcessServer } from './process.ts'
import { http1, type Transport } from '../runner/transport.ts'
import type { Capability } from './types.ts'

export { nodeCommand }

/** Next to this file in the sources; from dist/, the repository's copy (tsc does not copy .py files). */
export const pythonPeerDir =
  [new URL('../peers/python/', import.meta.url), new URL('../../../conformance/peers/python/', import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../peers/python/', import.meta.url))

/** Debian's interpreter: its dist-packages hold uvicorn, hypercorn, daphne and starlette (a pyenv python may not). */
export const python = process.env.TSGI_CONFORMANCE_PYTHON ?? '/usr/bin/python3'

/** What every process-level server can be asked to do through the contract. */
export const processCapabilities: Capability[] = ['http', 'sockets', 'compose', 'lifespan-protocol', 'signals', 'exit-code', 'bind']

/** The ASGI servers and tsgi speak the websocket scope too. */
const websocket: Capability[] = ['websocket']

/** The TypeScript scenario app under serve(): from source in this repository, or built in dist. */
function tsgiCommand(): string[] {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return nodeCommand(fileURLToPath(new URL(`../apps/tsgi-scenario-app.${extension}`, import.meta.url)))
}

const asgiLimits: Partial<Record<Capability, string>> = {
  hooks: 'an ASGI server has no onStartup/onShutdown hooks of its own (the app owns its lifespan)',
  'lifespan-fns': 'an ASGI server has no lifespan functions of its own',
  'router-timeouts': "Starlette's Router has no per-child time limits",
  'body-limit': 'no request body limit to configure',
  'log-details': 'no switch for printing hook errors in full',
}

export const servers = {
  'tsgi-process': (): ProcessServer => ({
    name: 'tsgi-process',
    command: tsgiCommand(),
    can: [...processCapabilities, ...websocket, 'router-timeouts', 'hooks', 'lifespan-fns', 'server-timeouts', 'body-limit', 'log-details'],
    // The scenario app reads TSGI_HTTP2 and TSGI_TLS_*_FILE and passes them to serve().
    http2: {},
  }),
  uvicorn: (): ProcessServer => ({
    name: 'uvicorn',
    command: [python, '-m', 'uvicorn', 'scenario_app:app', '--host', '127.0.0.1', '--port', '{port}', '--log-level', 'info'],
    cwd: pythonPeerDir,
    can: [...processCapabilities, ...websocket],
    because: { ...asgiLimits, 'server-timeouts': 'uvicorn has no lifespan startup/shutdown time limit to set (it waits forever)' },
  }),
  hypercorn: (): ProcessServer => ({
    name: 'hypercorn',
    command: [
      python,
      '-m',
      'hypercorn',
      'scenario_app:app',
      '--bind',
      '127.0.0.1:{port}',
      '--config',
      `file:${pythonPeerDir}hypercorn_config.py`,
    ],
    cwd: pythonPeerDir,
    // Its startup_timeout / shutdown_timeout come from the scenario (hypercorn_config.py); it has no drain limit apart from graceful_timeout.
    can: [...processCapabilities, ...websocket, 'server-timeouts'],
    because: asgiLimits,
    // Under TLS it offers h2 by ALPN; in cleartext it takes h2 with prior knowledge on the same bind.
    http2: { tlsArgs: (tls) => ['--certfile', tls.certFile, '--keyfile', tls.keyFile] },
  }),
  // Daphne (Django Channels' server) never opens a lifespan scope; whatever the scenario app
  // would do at startup or shutdown, it is simply never asked. `python -m daphne` adds the
  // working directory to the import path, like its `daphne` script. Twisted listens before
  // `reactor.run()` installs its signal handlers, so a SIGTERM in that first moment kills
  // Daphne by the signal's default action; the runner lets that moment pass before it counts
  // Daphne as booted, so that the scenarios measure its shutdown, not the window.
  daphne: (): ProcessServer => ({
    name: 'daphne',
    command: [python, '-m', 'daphne', '-b', '127.0.0.1', '-p', '{port}', 'scenario_app:app'],
    cwd: pythonPeerDir,
    settleMs: 300,
    can: [...processCapabilities, ...websocket],
    because: {
      ...asgiLimits,
      'server-timeouts': 'Daphne has no lifespan, so no startup or shutdown step to bound (its timeouts are per request and per websocket)',
    },
  }),
  ...nodePeers,
} as const

export type ServerName = keyof typeof servers

/**
 * Any server: `sh -c '<command>'` with its last command run by `exec`, so the runner's signals
 * reach the server itself (`cd app && python3 -m server` runs `cd app && exec python3 -m server`).
 */
export function commandServer(command: string, can: Capability[] = processCapabilities): ProcessServer {
  // Over HTTP/2 it reads the protocol and the certificate files from its environment.
  return { name: 'command', command: ['/bin/sh', '-c', execLast(command)], can, http2: {} }
}

export function namedDriver(name: ServerName, transport: Transport = http1) {
  return processDriver(servers[name](), transport)
}
