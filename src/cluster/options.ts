// serve()'s scale-out options, checked once when serve() is called, in the primary and in
// every worker alike (the same script runs as both), so a typo fails before anything forks.

import { availableParallelism } from 'node:os'

import { optionNames, refuseUnknownOptions } from '../lifecycle/option-reader.ts'
import type { RunnerConfig } from '../lifecycle/runner.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { LifespanFn, LifespanHook } from '../protocol/types.ts'
import type { PrimaryHooks, RestartOptions, ServeConfig, ServeOptions } from '../serve/options.ts'

export interface RestartPolicy {
  initialDelayMs: number
  maxDelayMs: number
  maxCrashes: number
  windowMs: number
}

export interface ClusterConfig {
  /** 1 means one process: serve() as without the option. */
  workers: number
  /** The primary's lifecycle: its own hooks, the serve() options' timeouts, signals and logger. */
  primary: RunnerConfig
  restart: RestartPolicy
  reloadGraceMs: number
}

/** A worker count past this is a typo, not a machine. */
const MAX_WORKERS = 1024

function fail(message: string): never {
  throw new InvalidArgumentError(`serve(): ${message}`)
}

/** For refuseUnknownOptions(), whose message names serve() itself. */
function refuse(message: string): never {
  throw new InvalidArgumentError(message)
}

const primaryOptionNames = optionNames<PrimaryHooks>()(['onStartup', 'onShutdown', 'lifespan'])
const restartOptionNames = optionNames<RestartOptions>()(['initialDelayMs', 'maxDelayMs', 'maxCrashes', 'windowMs'])

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

function readWorkers(value: unknown): number {
  if (value === undefined) return 1
  if (value === 'auto') return availableParallelism()
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    fail(`workers must be an integer from 1 to ${MAX_WORKERS} or 'auto', got ${show(value)}`)
  }
  return value
}

function functions<T>(value: unknown, option: string, single: boolean): T[] {
  if (value === undefined) return []
  const list = typeof value === 'function' && single ? [value] : value
  if (!Array.isArray(list)) fail(`${option} must be an array of functions, got ${show(value)}`)
  list.forEach((fn, i) => {
    if (typeof fn !== 'function') fail(`${option}[${i}] must be a function, got ${show(fn)}`)
  })
  return [...list] as T[]
}

function readMs(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    fail(`${option} must be a finite number of milliseconds, at least ${min}, got ${show(value)}`)
  }
  return value
}

function readRestart(value: ServeOptions['restart']): RestartPolicy {
  if (value === undefined) return { initialDelayMs: 100, maxDelayMs: 15_000, maxCrashes: 5, windowMs: 60_000 }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`restart must be an object, got ${show(value)}`)
  refuseUnknownOptions(value, restartOptionNames, 'serve()', refuse, 'restart')
  const initialDelayMs = readMs(value.initialDelayMs, 'restart.initialDelayMs', 100, 0)
  const maxDelayMs = readMs(value.maxDelayMs, 'restart.maxDelayMs', Math.max(15_000, initialDelayMs), 0)
  if (maxDelayMs < initialDelayMs) fail(`restart.maxDelayMs (${maxDelayMs}) must not be below restart.initialDelayMs (${initialDelayMs})`)
  const maxCrashes = value.maxCrashes ?? 5
  if (typeof maxCrashes !== 'number' || !Number.isInteger(maxCrashes) || maxCrashes < 0) {
    fail(`restart.maxCrashes must be a non-negative integer, got ${show(maxCrashes)}`)
  }
  return { initialDelayMs, maxDelayMs, maxCrashes, windowMs: readMs(value.windowMs, 'restart.windowMs', 60_000, 1) }
}

/** `serve` is the single-process config already read (and checked) from the same options. */
export function readClusterOptions(options: ServeOptions, serve: ServeConfig): ClusterConfig {
  const primary = options.primary ?? {}
  if (primary === null || typeof primary !== 'object' || Array.isArray(primary)) {
    fail(`primary must be an object of hooks, got ${show(primary)}`)
  }
  refuseUnknownOptions(primary, primaryOptionNames, 'serve()', refuse, 'primary')
  return {
    workers: readWorkers(options.workers),
    primary: {
      onStartup: functions<LifespanHook>(primary.onStartup, 'primary.onStartup', false),
      onShutdown: functions<LifespanHook>(primary.onShutdown, 'primary.onShutdown', false),
      lifespan: functions<LifespanFn>(primary.lifespan, 'primary.lifespan', true),
      startupTimeoutMs: serve.startupTimeoutMs,
      shutdownTimeoutMs: serve.shutdownTimeoutMs,
      drainTimeoutMs: serve.drainTimeoutMs,
      // The workers keep serving through their own delay; the primary has nothing to delay.
      shutdownDelayMs: 0,
      signals: serve.signals,
      logger: serve.logger,
      logDetails: serve.logDetails,
      logTimings: serve.logTimings,
    },
    restart: readRestart(options.restart),
    reloadGraceMs: readMs(options.reloadGraceMs, 'reloadGraceMs', 1_000, 0),
  }
}
