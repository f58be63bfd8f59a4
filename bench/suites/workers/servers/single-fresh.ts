// A control: the baseline's one process, with every call on a connection of its own (the
// workload reads the `-fresh` in the name). Against the baseline it is what a TCP connection
// per call costs alone; `workers-fresh` against it is what the second worker and the relay add.

import { announcePort } from '../../../contender.ts'
import { serveBenchMcp } from '../app.ts'

const server = await serveBenchMcp()
announcePort(Number(new URL(server.url).port))
