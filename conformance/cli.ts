#!/usr/bin/env node
// tsgi-conformance: runs the lifespan conformance scenarios against a server and reports.
//   npm run conformance -- --server tsgi
//   npm run conformance -- --command "node my-server.js" --can hooks
// Exit code: 0 when nothing failed (or with --report-only), 1 on a failure, 2 on bad usage.

import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Driver } from './drivers/types.ts'
import { pickDriver, selectScenarios, serverNames, UsageError } from './select.ts'
import { table, toJson, toJunit } from './runner/report.ts'
import { runSuite } from './runner/run.ts'
import { scenarios } from './scenarios/index.ts'

const usage = `usage: tsgi-conformance (--server ${serverNames.join('|')} | --command "<cmd>") [options]

  --server NAME        a server this suite knows how to start (tsgi-express, tsgi-fastify and
                       tsgi-hono: tsgi embedded in that host, in process)
  --command CMD        any server: run as \`sh -c 'exec CMD'\` with TSGI_SCENARIO, TSGI_SCENARIO_SETUP,
                       TSGI_TRACE and PORT set (see conformance/README.md)
  --can LIST           with --command: capabilities it has beyond the process basics (e.g. hooks,server-timeouts)
  --cannot LIST        with --command: basics it lacks (e.g. compose)
  --transport NAME     the protocol the runner's client speaks: h1 (HTTP/1.1, the default), h2
                       (HTTP/2 over TLS, ALPN h2) or h2c (HTTP/2 in cleartext, prior knowledge);
                       over h2/h2c a scenario that is HTTP/1.1 by nature is not applicable
  --tls-key FILE       with --transport h2: the key the server under test is started with
  --tls-cert FILE      with --transport h2: its certificate (a --command server gets both files
                       as TSGI_TLS_KEY_FILE and TSGI_TLS_CERT_FILE, and TSGI_HTTP2=1)
  --tls-ca FILE        with --transport h2: what the client trusts (default: the certificate)
  --only IDS           run only these scenarios (comma-separated ids)
  --level LEVELS       run only these levels (any of P,C,S,X,H,W)
  --json               print the results as JSON instead of the table
  --junit FILE         also write JUnit XML to FILE
  --wide               do not shorten the reasons in the table
  --timeout MS         a scenario still running after MS fails (default 20000)
  --report-only        exit 0 even when scenarios fail
  --list               list the scenarios and exit`

function over(driver: Driver): string {
  const name = driver.transport?.name ?? 'h1'
  return name === 'h1' ? '' : ` over ${name === 'h2' ? 'HTTP/2 (TLS)' : 'HTTP/2 cleartext (h2c)'}`
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      command: { type: 'string' },
      can: { type: 'string' },
      cannot: { type: 'string' },
      transport: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-ca': { type: 'string' },
      only: { type: 'string' },
      level: { type: 'string' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      wide: { type: 'boolean' },
      timeout: { type: 'string' },
      'report-only': { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    console.log(usage)
    return 0
  }
  const chosen = selectScenarios(scenarios, { only: values.only, level: values.level })
  if (values.list === true) {
    for (const s of chosen) console.log(`${s.id.padEnd(5)} ${s.level}  ${s.title}  [${s.source}]`)
    return 0
  }
  const driver = pickDriver(values)
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout)
  const results = await runSuite(chosen, driver, { ...(timeoutMs === undefined ? {} : { timeoutMs }), keepTrace: values.json === true })
  if (values.json === true) console.log(toJson(driver.name, results))
  else console.log(`server: ${driver.name}${over(driver)}\n\n${table(results, { wide: values.wide === true })}`)
  if (values.junit !== undefined) writeFileSync(values.junit, toJunit(driver.name, results))
  const failed = results.some((r) => r.result === 'failed')
  return failed && values['report-only'] !== true ? 1 : 0
}

// `… | head` closes stdout early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n\n${usage}` : error)
    process.exitCode = 2
  },
)
