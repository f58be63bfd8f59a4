// From the lifecycle trace (tsgi:lifecycle) to the histogram `tsgi.lifecycle.step.duration`:
// one measurement per step that ended (ok, error or timeout), in seconds as OpenTelemetry's
// duration metrics are. Trace events carry the time since serve() was called, not a duration,
// so each start is kept until its end: by step and name, which one server never runs twice at
// once.

import type { Histogram } from '@opentelemetry/api'

import type { LifecycleTrace } from '../lifecycle/table.ts'

export const STEP_DURATION = 'tsgi.lifecycle.step.duration'

export class StepDurations {
  readonly #started = new Map<string, number[]>()
  #histogram: Histogram | null = null

  use(histogram: Histogram): void {
    this.#histogram = histogram
  }

  readonly onEvent = (message: unknown): void => {
    const event = message as LifecycleTrace
    if (event.step === 'phase' || event.outcome === 'skipped') return
    const key = `${event.step}\u0000${event.name}`
    if (event.outcome === 'start') {
      const starts = this.#started.get(key) ?? []
      starts.push(event.ms)
      this.#started.set(key, starts)
      return
    }
    const starts = this.#started.get(key)
    const start = starts?.pop()
    if (starts?.length === 0) this.#started.delete(key)
    if (start === undefined) return
    this.#histogram?.record(Math.max(0, event.ms - start) / 1000, { phase: event.phase, step: event.step, outcome: event.outcome })
  }
}
