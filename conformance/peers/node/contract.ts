// The runner's side of every Node peer, read from the environment the process driver sets
// (conformance/README.md, "Running the suite against your own server"): the scenario's setup,
// the trace file, the port, and the server time limits when the scenario sets them.

import { describe } from '../../apps/steps.ts'
import { fileTrace, type Recorder } from '../../apps/trace.ts'
import type { Setup } from '../../scenarios/types.ts'

export const setup = JSON.parse(process.env.TSGI_SCENARIO_SETUP ?? '{"app":{"kind":"app","name":"app"}}') as Setup

export const record: Recorder = process.env.TSGI_TRACE === undefined ? () => {} : fileTrace(process.env.TSGI_TRACE)

export const port = Number(process.env.PORT ?? 3000)
export const host = '127.0.0.1'

function milliseconds(name: string): number | undefined {
  const value = process.env[name]
  return value === undefined ? undefined : Number(value)
}

/** The setup's server time limits, for the peers whose framework has a matching setting. */
export const limits = {
  startupMs: milliseconds('TSGI_SERVER_STARTUP_TIMEOUT_MS'),
  shutdownMs: milliseconds('TSGI_SERVER_SHUTDOWN_TIMEOUT_MS'),
  drainMs: milliseconds('TSGI_SERVER_DRAIN_TIMEOUT_MS'),
}

/** The request body limit the setup asks for, if any. */
export const maxBodyBytes = setup.server?.maxBodyBytes

/**
 * The framework's own verdict on a phase, in the trace's vocabulary: a framework sends no
 * lifespan messages, so the peer records what its startup or close call reported, once, as
 * `>lifespan.<phase>.complete` or `>lifespan.<phase>.failed` (detail: the error's message).
 */
export function verdict(phase: 'startup' | 'shutdown', error?: unknown): void {
  if (error === undefined) record(`>lifespan.${phase}.complete`)
  else record(`>lifespan.${phase}.failed`, error instanceof Error ? error.message : describe(error))
}

/** Runs a phase and records its verdict; the error (if any) still propagates. */
export async function reported<T>(phase: 'startup' | 'shutdown', work: () => Promise<T>): Promise<T> {
  try {
    const result = await work()
    verdict(phase)
    return result
  } catch (error) {
    verdict(phase, error)
    throw error
  }
}
