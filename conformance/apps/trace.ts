// Trace events: what a scenario app saw, with a wall-clock time in milliseconds (fractional),
// so events from a server process and from the runner can be merged on one time line.

import { appendFileSync, readFileSync } from 'node:fs'

export interface TraceEvent {
  event: string
  t: number
  detail?: string
}

export type Recorder = (event: string, detail?: string) => void

/** Milliseconds since the epoch with sub-millisecond precision; Python's time.time() * 1000 matches it. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

/** Collects events in memory (the in-process driver). */
export function memoryTrace(): { record: Recorder; events: TraceEvent[] } {
  const events: TraceEvent[] = []
  const record: Recorder = (event, detail) => {
    events.push(detail === undefined ? { event, t: now() } : { event, t: now(), detail })
  }
  return { record, events }
}

/**
 * Appends one JSON line per event to `file` (the TSGI_TRACE contract). Synchronous, so an
 * event is on disk before the next step runs, even if the process is killed right after.
 */
export function fileTrace(file: string): Recorder {
  return (event, detail) => {
    const line: TraceEvent = detail === undefined ? { event, t: now() } : { event, t: now(), detail }
    appendFileSync(file, JSON.stringify(line) + '\n')
  }
}

/** Reads a TSGI_TRACE file; a missing file is an empty trace, a torn last line is ignored. */
export function readTraceFile(file: string): TraceEvent[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const events: TraceEvent[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const parsed = JSON.parse(line) as Partial<TraceEvent>
      if (typeof parsed.event !== 'string' || typeof parsed.t !== 'number') continue
      events.push(
        parsed.detail === undefined
          ? { event: parsed.event, t: parsed.t }
          : { event: parsed.event, t: parsed.t, detail: String(parsed.detail) },
      )
    } catch {
      // a line being written while we read it
    }
  }
  return events
}
