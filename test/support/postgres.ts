// A throwaway PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster made
// with initdb in a fresh temp folder (as the `postgres` user when we are root, since initdb
// refuses root), started with pg_ctl on a claimed port bound to 127.0.0.1 with its socket in
// the same folder. It is stopped and removed when the test is done, and also when the test
// process exits for any other reason (a failed assertion, an uncaught error).
//
// Where PostgreSQL is not installed the tests skip with the reason; under CI=true a missing
// server is a failure, so the database tests can never pass by not running.

import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { freePort } from './observe.ts'

export const PG_USER = 'tsgi'
export const PG_PASSWORD = 'not-a-real-secret-7f3a'

export interface Postgres {
  /** postgres://tsgi:…@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  /** Stops the server (fast shutdown: clients are disconnected), keeping its data. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
  /** Stops it and removes its folder; idempotent. */
  remove(): void
}

/** The folder of Debian's PostgreSQL binaries (the newest version installed), or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? null : join(root, versions[0]!, 'bin')
}

/**
 * Why the database tests cannot run here, for `test(..., { skip })`; undefined when they can.
 * Under CI=true a missing server throws instead: CI installs it, so missing is a defect.
 */
export function postgresMissing(): string | undefined {
  if (postgresBin() !== null) return undefined
  const reason = "PostgreSQL is not installed (Debian's postgresql package: apt-get install postgresql)"
  if (process.env.CI === 'true') throw new Error(`${reason}; CI must install it (see .ci/run)`)
  return reason
}

const started = new Set<() => void>()
process.once('exit', () => {
  for (const remove of started) remove()
})

/** Runs a binary as the `postgres` user when we are root (initdb and postgres refuse root). */
function run(bin: string, args: string[], asPostgres: boolean): void {
  const [command, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) {
    throw new Error(`${bin.split('/').pop()} ${args[0]} failed (${result.status}): ${result.stderr || result.stdout}`)
  }
}

/** The same, without blocking the event loop (the tests' load keeps running meanwhile). */
function runAsync(bin: string, args: string[], asPostgres: boolean): Promise<void> {
  const [command, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  return new Promise((resolve, reject) => {
    execFile(command, argv, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) resolve()
      else reject(new Error(`${bin.split('/').pop()} ${args[0]} failed: ${stderr || stdout || error.message}`))
    })
  })
}

/** A fresh cluster on 127.0.0.1, started; remove() it when done (it is also removed at exit). */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin()
  if (bin === null) throw new Error('PostgreSQL is not installed')
  const asPostgres = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-pg-'))
  const data = join(dir, 'data')
  const pwfile = join(dir, 'pw')
  writeFileSync(pwfile, `${PG_PASSWORD}\n`)
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
    chownSync(pwfile, uid, gid)
  }
  const port = await freePort()
  const pgCtl = join(bin, 'pg_ctl')
  // Password auth (scram) even on loopback, so the tests can show a password never leaks.
  run(join(bin, 'initdb'), ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8'], asPostgres)
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    // A test database: durability off, and enough connections for two replicas and a bench.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  const startArgs = ['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'log'), '-o', serverOptions]
  let removed = false
  const remove = () => {
    if (removed) return
    removed = true
    started.delete(remove)
    spawnSync(
      asPostgres ? 'runuser' : pgCtl,
      [...(asPostgres ? ['-u', 'postgres', '--', pgCtl] : []), 'stop', '-D', data, '-m', 'immediate'],
      {
        timeout: 30_000,
        stdio: 'ignore',
      },
    )
    rmSync(dir, { recursive: true, force: true })
  }
  started.add(remove)
  run(pgCtl, startArgs, asPostgres)
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => runAsync(pgCtl, ['stop', '-w', '-t', '30', '-D', data, '-m', 'fast'], asPostgres),
    start: () => runAsync(pgCtl, startArgs, asPostgres),
    remove,
  }
}
