// The folder the primary makes for its workers' private channels (the MCP session relay's unix
// sockets): mkdtemp makes it 0700, so only this server's user reaches what is inside, and it
// goes when the primary exits. A unix socket rather than a TCP port: no other user of the
// machine, and no other host, can connect to it.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let made: string | null = null

export function privateDir(): string {
  if (made !== null) return made
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-'))
  made = dir
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
