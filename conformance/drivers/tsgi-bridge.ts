// The H harness: toNodeHandler() on a plain node:http server, the app's lifespan driven by a
// LifespanManager around it. This checks the bridge alone, without serve()'s drain or hooks.

import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LifespanManager, toNodeHandler } from '../../src/index.ts'
import { buildTopApp } from '../apps/build.ts'
import { memoryTrace } from '../apps/trace.ts'
import { Traffic } from '../runner/http.ts'
import type { Scenario } from '../scenarios/types.ts'
import { captureLogger, outcomeOf } from './in-process.ts'
import { HOST } from './ports.ts'
import type { Session } from './types.ts'

function listen(server: HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port))
  })
}

export async function bridgeSession(scenario: Scenario): Promise<Session> {
  const { record, events } = memoryTrace()
  const { logger, lines } = captureLogger()
  const app = buildTopApp(scenario.setup.app, record)
  const spec = scenario.setup.server
  const manager = new LifespanManager(app, { state: {}, logger })
  const handler = toNodeHandler(app, {
    state: manager.state,
    logger,
    ...(spec?.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
  })
  const http = createServer(handler)
  let traffic: Traffic | null = null
  const trafficOf = (): Traffic => {
    if (traffic === null) throw new Error('the server is not listening')
    return traffic
  }
  const closeHttp = (): Promise<void> =>
    new Promise((resolve) => {
      if (!http.listening) return resolve()
      http.close(() => resolve())
      http.closeAllConnections()
    })

  return {
    boot: () =>
      outcomeOf(async () => {
        await manager.startup()
        traffic = new Traffic(HOST, await listen(http))
      }),
    stop: () =>
      outcomeOf(async () => {
        await closeHttp()
        await manager.shutdown()
      }),
    request: (request, note) => trafficOf().request(request, note),
    idleConnection: (note) => trafficOf().idleConnection(note),
    connect: () => trafficOf().connect(),
    trace: () => events,
    async finish() {
      const observed = { trace: [...events], log: lines.join('\n'), manager: { supported: manager.supported, state: { ...manager.state } } }
      await (traffic as Traffic | null)?.close()
      await closeHttp()
      void manager.shutdown().catch(() => undefined)
      return observed
    },
  }
}
