// X, rollouts: a server told to delay its shutdown keeps serving while load balancers catch up
// (on Kubernetes, the endpoints still route to a pod for seconds after its SIGTERM), fails its
// readiness probe first, and ends long-lived streams only when the drain begins.

import { boot, leaf } from './shapes.ts'
import type { Scenario } from './types.ts'

const ROLLOUT = 'Kubernetes pod termination (kubernetes#43576, #86280; @godaddy/terminus#31, lightship#25)'

export const rolloutScenarios: Scenario[] = [
  {
    id: 'X26',
    level: 'X',
    source: `${ROLLOUT}; DESIGN.md "rollouts" (shutdownDelayMs)`,
    title: 'with a shutdown delay, a request that arrives after SIGTERM is served, with Connection: close',
    setup: { app: leaf('app'), server: { shutdownDelayMs: 800 } },
    actions: [
      boot,
      { do: 'signal', signal: 'SIGTERM' },
      { do: 'wait', ms: 200 },
      { do: 'connect', expect: 'accepted' },
      { do: 'request', path: '/', expect: { status: 200, json: { app: 'app' }, headerIncludes: { connection: ['close'] } } },
      { do: 'exit', code: 0, withinMs: 4000 },
    ],
    expect: { order: [['@signal.SIGTERM', 'app.request', 'app.response', 'app.shutdown', 'app.shutdown.complete']] },
  },
  {
    id: 'X27',
    level: 'X',
    source: `${ROLLOUT}; Kubernetes probe docs (readiness first, liveness kept)`,
    title: 'readiness flips first: during the delay /readyz answers 503, /livez 200, and the app is still served',
    setup: { app: leaf('app'), server: { shutdownDelayMs: 800, health: true } },
    actions: [
      boot,
      { do: 'request', path: '/readyz', expect: { status: 200 } },
      { do: 'signal', signal: 'SIGTERM' },
      { do: 'wait', ms: 100 },
      { do: 'request', path: '/readyz', expect: { status: 503 } },
      { do: 'request', path: '/livez', expect: { status: 200 } },
      { do: 'request', path: '/', expect: { status: 200, json: { app: 'app' } } },
      { do: 'exit', code: 0, withinMs: 4000 },
    ],
    expect: { order: [['@signal.SIGTERM', 'app.response', 'app.shutdown']] },
  },
  {
    id: 'X28',
    level: 'X',
    source: `${ROLLOUT}; DESIGN.md "draining" (streams end when the drain begins)`,
    title: 'a stream open at SIGTERM ends when the drain begins, not during the delay',
    setup: { app: leaf('app'), server: { shutdownDelayMs: 800 } },
    actions: [
      boot,
      { do: 'request', path: '/?do=hold&ms=2500', background: 'stream' },
      { do: 'wait-for', event: 'app.stream.open' },
      { do: 'signal', signal: 'SIGTERM' },
      { do: 'wait', ms: 300 },
      { do: 'request', path: '/', expect: { status: 200 } },
      { do: 'settle', name: 'stream', expect: { status: 200, bodyIncludes: ['data: open', 'data: end'] } },
      { do: 'exit', code: 0, withinMs: 4000 },
    ],
    expect: {
      order: [['@signal.SIGTERM', 'app.response', 'app.stream.end', 'app.shutdown']],
      detail: { 'app.stream.end': ['draining'] },
    },
  },
]
