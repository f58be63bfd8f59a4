// Turning command-line choices into a driver and a list of scenarios; shared by the CLI and
// the matrix.

import { nodePeers } from './drivers/node-peers.ts'
import { processDriver } from './drivers/process.ts'
import { commandServer, namedDriver, processCapabilities, servers, type ServerName } from './drivers/servers.ts'
import { tsgiDriver } from './drivers/tsgi.ts'
import { embedDriver } from './drivers/tsgi-embed.ts'
import { capabilityMeaning, type Capability, type Driver } from './drivers/types.ts'
import { http1, parseTransport, type Transport, TransportError } from './runner/transport.ts'
import type { Level, Scenario } from './scenarios/types.ts'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** tsgi embedded in each host, in process: `tsgi-express`, `tsgi-fastify`, `tsgi-hono`. */
export const embeddings = { 'tsgi-express': 'express', 'tsgi-fastify': 'fastify', 'tsgi-hono': 'hono' } as const
export type EmbeddingName = keyof typeof embeddings

export const serverNames = ['tsgi', ...Object.keys(embeddings), ...Object.keys(servers)] as Array<'tsgi' | EmbeddingName | ServerName>

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

function capabilities(value: string | undefined, option: string): Capability[] {
  const names = list(value)
  for (const name of names) {
    if (!(name in capabilityMeaning))
      throw new UsageError(`${option}: '${name}' is not a capability (known: ${Object.keys(capabilityMeaning).join(', ')})`)
  }
  return names as Capability[]
}

/** Whether this suite can run the server over HTTP/2 (and h2c); the others are HTTP/1.1 here. */
function speaksHttp2(name: string): boolean {
  if (name === 'tsgi') return true
  // The Node peers' scenario apps listen on node:http (and making their command compiles them).
  if (!(name in servers) || name in nodePeers) return false
  return servers[name as ServerName]().http2 !== undefined
}

export function driverFor(name: string, transport: Transport = http1): Driver {
  if (!(serverNames as string[]).includes(name))
    throw new UsageError(`--server: unknown server '${name}' (known: ${serverNames.join(', ')}; or use --command)`)
  if (transport.name !== 'h1' && !speaksHttp2(name))
    throw new UsageError(
      `--transport ${transport.name}: this suite runs ${name} over HTTP/1.1 only (over HTTP/2: ${serverNames.filter(speaksHttp2).join(', ')}, or --command)`,
    )
  if (name === 'tsgi') return tsgiDriver(transport)
  if (name in embeddings) return embedDriver(embeddings[name as EmbeddingName])
  return namedDriver(name as ServerName, transport)
}

export function pickDriver(values: {
  server?: string | undefined
  command?: string | undefined
  can?: string | undefined
  cannot?: string | undefined
  transport?: string | undefined
  'tls-key'?: string | undefined
  'tls-cert'?: string | undefined
  'tls-ca'?: string | undefined
}): Driver {
  if ((values.server === undefined) === (values.command === undefined)) throw new UsageError('give exactly one of --server and --command')
  let transport: Transport
  try {
    transport = parseTransport({
      transport: values.transport,
      tlsKey: values['tls-key'],
      tlsCert: values['tls-cert'],
      tlsCa: values['tls-ca'],
    })
  } catch (error) {
    if (error instanceof TransportError) throw new UsageError(error.message)
    throw error
  }
  if (values.server !== undefined) return driverFor(values.server, transport)
  const lacks = new Set(capabilities(values.cannot, '--cannot'))
  const can = [...new Set([...processCapabilities, ...capabilities(values.can, '--can')])].filter((c) => !lacks.has(c))
  return processDriver(commandServer(values.command!, can), transport)
}

export function selectScenarios(all: Scenario[], filters: { only?: string | undefined; level?: string | undefined }): Scenario[] {
  const only = list(filters.only)
  const levels = list(filters.level).map((l) => l.toUpperCase())
  for (const level of levels)
    if (!['P', 'C', 'S', 'X', 'H', 'W'].includes(level)) throw new UsageError(`--level: '${level}' is not a level (P, C, S, X, H, W)`)
  for (const id of only) if (!all.some((s) => s.id === id)) throw new UsageError(`--only: no scenario '${id}'`)
  return all.filter((s) => (only.length === 0 || only.includes(s.id)) && (levels.length === 0 || levels.includes(s.level as Level)))
}
