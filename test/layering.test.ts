// The layering rule of DESIGN.md ("the house"), read off the import statements of src/:
// every layer imports only layers below it (or a named neighbour), and the core entry never
// reaches a software development kit or a web framework.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import ts from 'typescript'

const srcDir = resolve(import.meta.dirname, '..', 'src')

/** Each room and its height; a file may import from a lower room, its own, or a named neighbour. */
const rooms: Record<string, { level: number; neighbours?: string[] }> = {
  protocol: { level: 0 },
  'logging.ts': { level: 1 },
  lifespan: { level: 2 },
  compose: { level: 3 },
  lifecycle: { level: 4 },
  node: { level: 5 },
  websocket: { level: 5, neighbours: ['node'] },
  'http.ts': { level: 5 },
  fetch: { level: 6 },
  serve: { level: 7, neighbours: ['cluster'] },
  cluster: { level: 7, neighbours: ['serve'] },
  sdk: { level: 8 },
  embed: { level: 8 },
  mcp: { level: 9 },
  'mcp-server': { level: 9 },
  a2a: { level: 9 },
  otel: { level: 9 },
  'a2a-postgres': { level: 10 },
  agent: { level: 10 },
  'index.ts': { level: 11 },
}

/** Files of the core package entry may import these bare specifiers, and nothing else. */
const coreBuiltins = /^node:/

/**
 * Optional peers the core loads on demand (a dynamic import, at the moment a feature is first
 * used), each from one file: a user without the package who never uses the feature never loads it.
 */
const lazyPeers: Record<string, string> = { 'websocket/load-ws.ts': 'ws' }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

function roomOf(file: string): string {
  return relative(srcDir, file).split('/')[0]!
}

/** Every module specifier a text names: static imports, re-exports and dynamic imports. */
function specifiersIn(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)
}

function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'))
}

/** The imports of `file` (whose text is given) that run against the rule, as sentences. */
function againstTheRule(file: string, text: string): string[] {
  const from = roomOf(file)
  const { level, neighbours = [] } = rooms[from]!
  const against: string[] = []
  for (const specifier of specifiersIn(text)) {
    if (!specifier.startsWith('.')) continue
    const to = roomOf(resolve(dirname(file), specifier))
    const target = rooms[to]
    if (to === from || neighbours.includes(to)) continue
    if (target === undefined || target.level >= level)
      against.push(`${relative(srcDir, file)} imports '${specifier}' (${from} may not import ${to})`)
  }
  return against
}

const files = sourceFiles(srcDir)

test('every file of src/ sits in a known room of the house', () => {
  const unknown = files.map((f) => relative(srcDir, f)).filter((f) => rooms[f.split('/')[0]!] === undefined)
  assert.deepEqual(unknown, [], 'files outside the layers of DESIGN.md')
})

test('each layer imports only the layers below it, or a named neighbour', () => {
  assert.deepEqual(
    files.flatMap((file) => againstTheRule(file, readFileSync(file, 'utf8'))),
    [],
  )
})

test('the tsgi entry point reaches only node: built-ins, never a kit or a framework', () => {
  const seen = new Set<string>()
  const outside: string[] = []
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier))
      else if (lazyPeers[relative(srcDir, file)] === specifier) continue
      else if (!coreBuiltins.test(specifier)) outside.push(`${relative(srcDir, file)} imports '${specifier}'`)
    }
  }
  visit(join(srcDir, 'index.ts'))
  assert.ok(seen.size > 20, `the walk reached only ${seen.size} files`)
  assert.deepEqual(outside, [])
})

test('an upward or sideways import is named with its file and the rooms it crosses', () => {
  const protocolFile = join(srcDir, 'protocol', 'types.ts')
  assert.deepEqual(againstTheRule(protocolFile, "import { serve } from '../serve/serve.ts'"), [
    "protocol/types.ts imports '../serve/serve.ts' (protocol may not import serve)",
  ])
  const mcpFile = join(srcDir, 'mcp', 'app.ts')
  assert.deepEqual(againstTheRule(mcpFile, "export { a2aApp } from '../a2a/app.ts'\nconst x = import('../agent/agent.ts')"), [
    "mcp/app.ts imports '../a2a/app.ts' (mcp may not import a2a)",
    "mcp/app.ts imports '../agent/agent.ts' (mcp may not import agent)",
  ])
  assert.deepEqual(againstTheRule(join(srcDir, 'serve', 'serve.ts'), "import { fork } from '../cluster/primary.ts'"), [])
})

test('an optional peer the core reaches is loaded lazily: only by a dynamic import, from its one file', () => {
  for (const [file, peer] of Object.entries(lazyPeers)) {
    const text = readFileSync(join(srcDir, file), 'utf8')
    const named = specifiersIn(text).filter((specifier) => specifier === peer).length
    const dynamic = text.split(`import('${peer}')`).length - 1
    assert.ok(dynamic > 0, `${file} does not import('${peer}')`)
    assert.equal(named, dynamic, `${file} names '${peer}' in a static or type import`)
  }
})
