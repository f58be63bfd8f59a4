// The contender: serve({ workers: 2 }), every call on a connection of its own, so node:cluster
// hands consecutive calls to alternate workers and about half land on the worker that does not
// own the session, which relays them to the owner over its unix socket. The primary accepts each
// connection and passes it to a worker, which one process on its own port never does.

import { serveOnTwoWorkers } from '../cluster-contender.ts'

await serveOnTwoWorkers()
