// The shutdown with its two knobs exposed, for callers inside tsgi: a cluster worker retiring
// during a rolling reload closes its listener first (so the primary stops handing it
// connections), keeps answering its open keep-alive sockets with `Connection: close` for a
// grace period, then drains as close() does. close() itself is closeWith(server, { delayMs:
// shutdownDelayMs, stopAccepting: false }): during a Kubernetes delay the listener stays open,
// because the endpoints are still routing new connections to the pod.

import { InvalidArgumentError } from '../protocol/errors.ts'
import { runnerOf, type Server } from './serve.ts'

export function closeWith(server: Server, options: { delayMs: number; stopAccepting: boolean }): Promise<void> {
  const runner = runnerOf(server)
  if (runner === undefined) return Promise.reject(new InvalidArgumentError('closeWith() needs a Server that serve() returned'))
  const { delayMs, stopAccepting } = options ?? {}
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    return Promise.reject(
      new InvalidArgumentError(`closeWith(): delayMs must be a finite number of milliseconds, 0 or more, got ${String(delayMs)}`),
    )
  }
  if (typeof stopAccepting !== 'boolean') {
    return Promise.reject(new InvalidArgumentError(`closeWith(): stopAccepting must be a boolean, got ${String(stopAccepting)}`))
  }
  return runner.close({ delayMs, stopAccepting })
}
