// Turning command-line choices into a driver and a list of scenarios; shared by the CLI and
// the matrix.

import { processDriver } from './drivers/process.ts'
import { commandServer, namedDriver, processCapabilities, servers, type ServerName } from './drivers/servers.ts'
import { tsgiDriver } from './drivers/tsgi.ts'
import { embedDriver } from './drivers/tsgi-embed.ts'
import { capabilityMeaning, type Capability, type Driver } from './drivers/types.ts'
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

export function driverFor(name: string): Driver {
  if (name === 'tsgi') return tsgiDriver()
  if (name in embeddings) return embedDriver(embeddings[name as EmbeddingName])
  if (name in servers) return namedDriver(name as ServerName)
  throw new UsageError(`--server: unknown server '${name}' (known: ${serverNames.join(', ')}; or use --command)`)
}

export function pickDriver(values: {
  server?: string | undefined
  command?: string | undefined
  can?: string | undefined
  cannot?: string | undefined
}): Driver {
  if ((values.server === undefined) === (values.command === undefined)) throw new UsageError('give exactly one of --server and --command')
  if (values.server !== undefined) return driverFor(values.server)
  const lacks = new Set(capabilities(values.cannot, '--cannot'))
  const can = [...new Set([...processCapabilities, ...capabilities(values.can, '--can')])].filter((c) => !lacks.has(c))
  return processDriver(commandServer(values.command!, can))
}

export function selectScenarios(all: Scenario[], filters: { only?: string | undefined; level?: string | undefined }): Scenario[] {
  const only = list(filters.only)
  const levels = list(filters.level).map((l) => l.toUpperCase())
  for (const level of levels)
    if (!['P', 'C', 'S', 'X', 'H', 'W'].includes(level)) throw new UsageError(`--level: '${level}' is not a level (P, C, S, X, H, W)`)
  for (const id of only) if (!all.some((s) => s.id === id)) throw new UsageError(`--only: no scenario '${id}'`)
  return all.filter((s) => (only.length === 0 || only.includes(s.id)) && (levels.length === 0 || levels.includes(s.level as Level)))
}
