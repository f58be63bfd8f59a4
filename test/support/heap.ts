// The heap after a forced full collection, in this test process: --expose-gc switched on at
// run time, so the test command needs no flag.

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

export const MiB = 1024 * 1024

export function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
