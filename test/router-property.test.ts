// Random trees of children, each with a random behaviour at startup and shutdown, driven
// through the real router and LifespanManager. What must hold whatever the tree:
// - every child whose startup completed receives shutdown exactly once, and no other does;
// - each router shuts its children down in exact reverse of their startup completions;
// - nothing starts after the first failure (in depth-first mount order);
// - every router sends exactly one final message upward for each phase it was asked for;
// - the top-level startup fails iff some child fails; no unhandled rejection ever.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import fc from 'fast-check'

import { LifespanManager, mount, router, type App } from '../src/index.ts'
import { scriptedApp, type ShutdownBehaviour, type StartupBehaviour } from './support/scripted-app.ts'

type Leaf = { kind: 'leaf'; startup: StartupBehaviour; shutdown: ShutdownBehaviour }
type Branch = { kind: 'router'; timeoutMs: number; children: Tree[] }
type Tree = Leaf | Branch

const leaf: fc.Arbitrary<Leaf> = fc.record({
  kind: fc.constant('leaf' as const),
  startup: fc.oneof(
    { weight: 6, arbitrary: fc.constant<StartupBehaviour>('complete') },
    { weight: 1, arbitrary: fc.constantFrom<StartupBehaviour>('fail', 'throw', 'unsupported', 'return', 'hang') },
  ),
  shutdown: fc.oneof(
    { weight: 5, arbitrary: fc.constant<ShutdownBehaviour>('complete') },
    { weight: 1, arbitrary: fc.constantFrom<ShutdownBehaviour>('fail', 'throw', 'hang') },
  ),
})

const tree = fc.letrec<{ node: Tree; branch: Branch }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('branch')),
  branch: fc.record({
    kind: fc.constant('router' as const),
    timeoutMs: fc.integer({ min: 1, max: 6 }),
    children: fc.array(tie('node'), { minLength: 0, maxLength: 4 }),
  }),
})).branch

interface Observed {
  /** Per leaf id: what it went through. */
  leaves: Map<string, { startups: number; started: number; shutdowns: number }>
  /** Per router id: the children it saw complete startup, and the children it sent shutdown to, in order. */
  routers: Map<string, { startupReceived: number; shutdownReceived: number; startupFinals: number; shutdownFinals: number }>
  completions: Map<string, string[]>
  shutdownsSent: Map<string, string[]>
}

/** Wraps a child so its parent's view of the conversation is recorded. */
function observedChild(parentId: string, childId: string, app: App, seen: Observed): App {
  return (scope, receive, send) =>
    app(
      scope,
      async () => {
        const message = await receive()
        if (message.type === 'lifespan.shutdown') seen.shutdownsSent.get(parentId)!.push(childId)
        return message
      },
      async (message) => {
        await send(message)
        if (message.type === 'lifespan.startup.complete') seen.completions.get(parentId)!.push(childId)
      },
    )
}

function build(node: Branch, id: string, seen: Observed, leafOrder: Array<{ id: string; leaf: Leaf }>): App {
  seen.routers.set(id, { startupReceived: 0, shutdownReceived: 0, startupFinals: 0, shutdownFinals: 0 })
  seen.completions.set(id, [])
  seen.shutdownsSent.set(id, [])
  const routes = node.children.map((child, i) => {
    const childId = `${id}/${i}`
    let app: App
    if (child.kind === 'leaf') {
      leafOrder.push({ id: childId, leaf: child })
      app = countingLeaf(childId, child, seen)
    } else {
      app = build(child, childId, seen, leafOrder)
    }
    return mount(`/${i}`, observedChild(id, childId, app, seen))
  })
  const inner = router(routes, { startupTimeoutMs: node.timeoutMs, shutdownTimeoutMs: node.timeoutMs })
  const counts = seen.routers.get(id)!
  return (scope, receive, send) =>
    inner(
      scope,
      async () => {
        const message = await receive()
        if (message.type === 'lifespan.startup') counts.startupReceived++
        if (message.type === 'lifespan.shutdown') counts.shutdownReceived++
        return message
      },
      async (message) => {
        if (message.type.startsWith('lifespan.startup.')) counts.startupFinals++
        if (message.type.startsWith('lifespan.shutdown.')) counts.shutdownFinals++
        await send(message)
      },
    )
}

function countingLeaf(id: string, script: Leaf, seen: Observed): App {
  const trace: string[] = []
  const record = { startups: 0, started: 0, shutdowns: 0 }
  seen.leaves.set(id, record)
  const app = scriptedApp(id, trace, script)
  const count = (entry: string) => {
    if (entry.endsWith(':startup')) record.startups++
    if (entry.endsWith(':started')) record.started++
    if (entry.endsWith(':shutdown')) record.shutdowns++
  }
  const push = trace.push.bind(trace)
  trace.push = (...entries: string[]) => {
    entries.forEach(count)
    return push(...entries)
  }
  return app
}

const fails = (l: Leaf) => l.startup === 'fail' || l.startup === 'throw' || l.startup === 'hang'
const receivesStartup = (l: Leaf) => l.startup !== 'unsupported' && l.startup !== 'return'

async function settle(seen: Observed): Promise<void> {
  const done = () =>
    [...seen.routers.values()].every((r) => r.startupFinals === r.startupReceived && r.shutdownFinals === r.shutdownReceived)
  const deadline = Date.now() + 2_000
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2))
}

test('random trees of children: completed startups are undone exactly once, in reverse, and one answer goes up each way', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  let runs = 0
  try {
    await fc.assert(
      fc.asyncProperty(tree, async (top) => {
        runs++
        const seen: Observed = { leaves: new Map(), routers: new Map(), completions: new Map(), shutdownsSent: new Map() }
        const leafOrder: Array<{ id: string; leaf: Leaf }> = []
        const manager = new LifespanManager(build(top, 'top', seen, leafOrder))
        const startedOk = await manager.startup().then(
          () => true,
          () => false,
        )
        if (startedOk) await manager.shutdown().catch(() => undefined)
        await settle(seen)

        const firstFailure = leafOrder.findIndex(({ leaf }) => fails(leaf))
        assert.equal(startedOk, firstFailure === -1, 'startup fails iff some child fails')
        leafOrder.forEach(({ id, leaf }, index) => {
          const record = seen.leaves.get(id)!
          const reached = firstFailure === -1 || index <= firstFailure
          assert.equal(record.startups, reached && receivesStartup(leaf) ? 1 : 0, `${id} startups`)
          assert.equal(record.shutdowns, record.started, `${id} shut down exactly once iff it started`)
        })
        for (const [id, counts] of seen.routers) {
          assert.equal(counts.startupFinals, counts.startupReceived, `${id}: one startup answer`)
          assert.equal(counts.shutdownFinals, counts.shutdownReceived, `${id}: one shutdown answer`)
          const completed = seen.completions.get(id)!
          assert.deepEqual(seen.shutdownsSent.get(id), [...completed].reverse(), `${id}: reverse order`)
        }
      }),
      { numRuns: 1_000 },
    )
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
  assert.equal(runs >= 1_000, true, `ran ${runs} cases`)
  assert.deepEqual(unhandled, [])
})
