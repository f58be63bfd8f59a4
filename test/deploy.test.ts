// The deployment files are checked, not trusted: the manifest's probes must hit the paths
// serve() answers, its shutdown budget must fit its grace period, and the image must run node
// itself as PID 1. No Docker or Kubernetes runs here; the files are read as data.

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'

import { parseAllDocuments } from 'yaml'

import { shutdownBudgetMs } from '../src/index.ts'
import { DEFAULT_HEALTH_PATHS } from '../src/serve/options.ts'

const root = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

interface Probe {
  httpGet: { path: string; port: string | number }
  periodSeconds: number
  failureThreshold: number
}
interface Container {
  ports: Array<{ name: string; containerPort: number }>
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>
  startupProbe: Probe
  readinessProbe: Probe
  livenessProbe: Probe
}
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, every field read is checked by an assert
type Doc = { kind: string; spec: Record<string, any>; metadata: { name: string } }

function manifest(): Record<string, Doc> {
  const docs = parseAllDocuments(read('deploy/kubernetes.yaml'))
  for (const doc of docs) assert.deepEqual(doc.errors, [], 'the manifest is valid YAML')
  return Object.fromEntries(docs.map((doc) => doc.toJS() as Doc).map((doc) => [doc.kind, doc]))
}

/** onShutdown hooks the deployed example registers: each is one shutdownTimeoutMs of budget. */
function exampleShutdownHooks(): number {
  const source = read('examples/agent.ts')
  const block = /onShutdown: \[([\s\S]*?)\n {2}\],/.exec(source)
  assert.ok(block, 'examples/agent.ts has an onShutdown list')
  return block[1]!.match(/\bfunction\b|=>/g)?.length ?? 0
}

test('the manifest has a Deployment with maxUnavailable 0, a Service and a PodDisruptionBudget that select its pods', () => {
  const { Deployment, Service, PodDisruptionBudget } = manifest()
  assert.ok(Deployment && Service && PodDisruptionBudget)
  assert.equal(Deployment.spec.strategy.rollingUpdate.maxUnavailable, 0)
  const labels = Deployment.spec.template.metadata.labels
  assert.deepEqual(Deployment.spec.selector.matchLabels, labels)
  assert.deepEqual(Service.spec.selector, labels)
  assert.deepEqual(PodDisruptionBudget.spec.selector.matchLabels, labels)
  const container = Deployment.spec.template.spec.containers[0] as Container
  const portNames = container.ports.map((p) => p.name)
  assert.ok(Service.spec.ports.every((p: { targetPort: string }) => portNames.includes(p.targetPort)))
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]))
  assert.equal(env.HOST, '0.0.0.0', 'listening on loopback only would make every probe fail')
  assert.equal(Number(env.PORT), container.ports[0]!.containerPort)
})

test("every probe points at a health path serve() answers, on the probes' own port that the Service leaves out", () => {
  const { Deployment, Service } = manifest()
  const container = Deployment!.spec.template.spec.containers[0] as Container
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]))
  const health = container.ports.find((p) => p.name === 'health')
  assert.ok(health, 'a container port named health')
  assert.equal(Number(env.HEALTH_PORT), health.containerPort, 'the example listens for the probes where they knock')
  assert.notEqual(health.containerPort, Number(env.PORT))
  assert.ok(
    Service!.spec.ports.every((p: { targetPort: string }) => p.targetPort !== 'health'),
    'clients never reach the probe port',
  )
  assert.equal(container.startupProbe.httpGet.path, DEFAULT_HEALTH_PATHS.live)
  assert.equal(container.livenessProbe.httpGet.path, DEFAULT_HEALTH_PATHS.live)
  assert.equal(container.readinessProbe.httpGet.path, DEFAULT_HEALTH_PATHS.ready)
  for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
    assert.equal(probe.httpGet.port, 'health')
  }
  assert.match(read('examples/agent.ts'), /health: process\.env\.HEALTH_PORT \? \{ port: Number\(process\.env\.HEALTH_PORT\) \} : true/)
})

test("the shutdown budget from the manifest's env fits its grace period, and the delay outlasts readiness", () => {
  const spec = manifest().Deployment!.spec.template.spec
  const container = spec.containers[0] as Container
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]))
  const graceS = spec.terminationGracePeriodSeconds as number
  assert.equal(Number(env.TSGI_GRACE_PERIOD_S), graceS, 'serve() is told the grace period the pod really has')
  const hooks = Array.from({ length: exampleShutdownHooks() }, () => async () => {})
  assert.equal(hooks.length, 1)
  const budget = shutdownBudgetMs({ onShutdown: hooks, health: true }, env)
  assert.equal(budget, 25_000)
  assert.ok(budget <= graceS * 1_000 - 2_000, `budget ${budget} ms, grace ${graceS} s`)
  const delayMs = Number(env.TSGI_SHUTDOWN_DELAY_MS)
  const readiness = container.readinessProbe
  assert.ok(delayMs > readiness.periodSeconds * readiness.failureThreshold * 1_000, 'readiness fails before the drain')
})

test('the Dockerfile is multi-stage, runs as a non-root user with HOST=0.0.0.0, and starts node in exec form, never npm', () => {
  const dockerfile = read('deploy/Dockerfile')
  const lines = dockerfile.split('\n').filter((line) => !line.startsWith('#'))
  assert.ok(lines.filter((line) => line.startsWith('FROM ')).length >= 2)
  const user = lines.filter((line) => line.startsWith('USER ')).at(-1)
  assert.ok(user !== undefined && !/USER (root|0)\b/.test(user), `runs as ${user}`)
  assert.match(dockerfile, /HOST=0\.0\.0\.0/)
  const cmd = lines.find((line) => line.startsWith('CMD ') || line.startsWith('ENTRYPOINT '))!
  const argv = JSON.parse(cmd.replace(/^(CMD|ENTRYPOINT) /, '')) as string[]
  assert.equal(argv[0], 'node', 'exec form with node as PID 1')
  assert.ok(!argv.includes('npm') && !lines.some((l) => /^(CMD|ENTRYPOINT).*npm/.test(l)))
  const source = argv[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts')
  assert.ok(existsSync(new URL(source, root)), `${argv[1]} is compiled from ${source}`)
  const tsconfig = JSON.parse(read('deploy/tsconfig.json')) as { include: string[] }
  assert.ok(tsconfig.include.includes(`../${source.split('/')[0]}`), 'the build compiles it')
})

test('the manifest runs at least two replicas sharing A2A tasks in PostgreSQL, its URL from a Secret, which the example reads', () => {
  const { Deployment } = manifest()
  assert.ok(Deployment!.spec.replicas >= 2, 'replicas >= 2')
  const container = Deployment!.spec.template.spec.containers[0] as Container
  const database = container.env.find((e) => e.name === 'DATABASE_URL')
  assert.ok(database, 'DATABASE_URL is set')
  assert.equal(database.value, undefined, 'never as a literal: it holds a password')
  assert.ok(database.valueFrom?.secretKeyRef?.name && database.valueFrom.secretKeyRef.key, 'it comes from a Secret')
  assert.match(read('examples/agent.ts'), /postgresTasks\(\{ connectionString: process\.env\.DATABASE_URL \}\)/)
})
