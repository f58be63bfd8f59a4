// The baseline: one process, the load on keep-alive connections (what a client library does).

import { announcePort } from '../../../contender.ts'
import { serveBenchMcp } from '../app.ts'

const server = await serveBenchMcp()
announcePort(Number(new URL(server.url).port))
