// Scenario servers written in TypeScript start once per scenario. Under tsx each start pays
// for the loader (about 0.6 s on these machines); transpiled to JavaScript once, they start in
// about 0.3 s. This transpiles an entry file and every relative import it reaches (no type
// check: `tsc --noEmit` does that) into node_modules/.cache, keyed by the files' contents, so
// parallel runners share one copy. Without the `typescript` package it returns null and the
// caller runs the source with tsx.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

type TypeScript = typeof import('typescript')

const root = fileURLToPath(new URL('../../', import.meta.url))
const specifiers = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+\.ts)['"]/g

function loadTypeScript(): TypeScript | null {
  try {
    return createRequire(import.meta.url)('typescript') as TypeScript
  } catch {
    return null
  }
}

/** Every TypeScript file `entry` reaches through relative imports, with its text. */
function graph(entry: string): Map<string, string> {
  const files = new Map<string, string>()
  const queue = [resolve(entry)]
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file) || !existsSync(file)) continue
    const text = readFileSync(file, 'utf8')
    files.set(file, text)
    for (const match of text.matchAll(specifiers)) queue.push(resolve(dirname(file), match[1]!))
  }
  return files
}

const compiled = new Map<string, string | null>()

/** The path of `entry` transpiled to JavaScript, or null when it cannot be (then use tsx). */
export function precompile(entry: string): string | null {
  if (compiled.has(entry)) return compiled.get(entry)!
  const ts = loadTypeScript()
  let result: string | null = null
  if (ts !== null) {
    const files = graph(entry)
    const hash = createHash('sha256')
    for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(file).update('\0').update(text)
    const outDir = join(root, 'node_modules', '.cache', 'tsgi-conformance', hash.digest('hex').slice(0, 16))
    const output = (file: string): string => join(outDir, relative(root, file)).replace(/\.ts$/, '.js')
    if (!existsSync(join(outDir, '.complete'))) {
      for (const [file, text] of files) {
        const js = ts.transpileModule(text, {
          fileName: file,
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            verbatimModuleSyntax: true,
            rewriteRelativeImportExtensions: true,
          },
        }).outputText
        const target = output(file)
        mkdirSync(dirname(target), { recursive: true })
        // Written aside and renamed: a runner reading the same cache never sees half a file.
        const temporary = `${target}.${process.pid}.tmp`
        writeFileSync(temporary, js)
        renameSync(temporary, target)
      }
      writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n')
      writeFileSync(join(outDir, '.complete'), '')
    }
    result = output(resolve(entry))
  }
  compiled.set(entry, result)
  return result
}

/** A TypeScript program as a command: transpiled once when possible (fast starts), else under tsx. */
export function nodeCommand(script: string): string[] {
  if (!script.endsWith('.ts')) return [process.execPath, script]
  const compiled = precompile(script)
  return compiled !== null ? [process.execPath, compiled] : [process.execPath, '--import', import.meta.resolve('tsx'), script]
}
