// A control: serve({ workers: 2 }) on keep-alive connections, which node:cluster spreads over
// both workers, so about half the calls still land on the worker that does not own the session
// and are relayed; but no connection is made per call. Against the baseline it is the relay's
// cost alone (half the calls pay it); `workers-fresh` against it is a connection per call
// through the primary.

import { serveOnTwoWorkers } from '../cluster-contender.ts'

await serveOnTwoWorkers()
