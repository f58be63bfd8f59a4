// tsgi/otel: OpenTelemetry for tsgi apps, as an instrumentation for registerInstrumentations()
// or the Node SDK. tsgi's core imports nothing of OpenTelemetry: the routers publish each hop
// on `tsgi:route` and the lifecycle each step on `tsgi:lifecycle` (node:diagnostics_channel);
// this bridge subscribes while enabled. Nothing here loads node:http, so it can be imported
// (and registered) before the HTTP instrumentation patches that module.

import diagnostics from 'node:diagnostics_channel'
import { createRequire } from 'node:module'

import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation'

import { ROUTE_CHANNEL } from '../compose/route-channel.ts'
import { refuseUnknownOptions, show } from '../lifecycle/option-reader.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import { onRouteHop } from './route.ts'
import { STEP_DURATION, StepDurations } from './steps.ts'

const LIFECYCLE_CHANNEL = 'tsgi:lifecycle'

export type TsgiInstrumentationConfig = InstrumentationConfig

const { version } = createRequire(import.meta.url)('tsgi/package.json') as { version: string }

export class TsgiInstrumentation extends InstrumentationBase<TsgiInstrumentationConfig> {
  readonly #steps = new StepDurations()
  #listening = false

  constructor(config: TsgiInstrumentationConfig = {}) {
    // Enabled below, once this class's fields exist: the base constructor would enable it first.
    super('tsgi', version, { ...config, enabled: false })
    this.setConfig(config)
    this._updateMetricInstruments()
    if (config.enabled !== false) this.enable()
  }

  /** Nothing to patch: tsgi says what it does on diagnostics_channel. */
  protected override init(): [] {
    return []
  }

  protected override _updateMetricInstruments(): void {
    // The base constructor calls this before this class's fields exist; the constructor calls it again.
    if (!(#steps in this)) return
    this.#steps.use(
      this.meter.createHistogram(STEP_DURATION, {
        description: 'How long each step of a tsgi server lifecycle took (app, lifespan, hooks, listen, drain)',
        unit: 's',
      }),
    )
  }

  override enable(): void {
    super.enable()
    if (!(#steps in this) || this.#listening) return
    this.#listening = true
    diagnostics.subscribe(ROUTE_CHANNEL, onRouteHop)
    diagnostics.subscribe(LIFECYCLE_CHANNEL, this.#steps.onEvent)
  }

  override disable(): void {
    super.disable()
    if (!(#steps in this) || !this.#listening) return
    this.#listening = false
    diagnostics.unsubscribe(ROUTE_CHANNEL, onRouteHop)
    diagnostics.unsubscribe(LIFECYCLE_CHANNEL, this.#steps.onEvent)
  }
}

/**
 * The instrumentation for tsgi: with the HTTP instrumentation, each server span gets
 * `http.route` (and its name `METHOD route`) from the route tsgi matched, e.g.
 * `/api/items/:id` or `/mcp/*`; lifecycle steps become the histogram `tsgi.lifecycle.step.duration`.
 * @example
 * // instrumentation.ts, loaded with `node --import ./instrumentation.ts` before the app
 * const sdk = new NodeSDK({ instrumentations: [new HttpInstrumentation(), tsgiInstrumentation()] })
 * sdk.start()
 */
export function tsgiInstrumentation(config: TsgiInstrumentationConfig = {}): TsgiInstrumentation {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`tsgiInstrumentation(): ${message}`)
  }
  if (config === null || typeof config !== 'object') fail(`options must be an object, got ${show(config)}`)
  refuseUnknownOptions(config, ['enabled'], 'tsgiInstrumentation()', fail)
  if (config.enabled !== undefined && typeof config.enabled !== 'boolean')
    fail(`enabled must be true or false, got ${show(config.enabled)}`)
  return new TsgiInstrumentation(config)
}
