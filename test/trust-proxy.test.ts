import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { test } from 'node:test'

import { InvalidArgumentError, mount, router, serve, toNodeHandler, type App } from '../src/index.ts'
import { a2aApp } from '../src/a2a/app.ts'
import { StepsExecutor } from './fixtures/a2a-executor.ts'
import { Balancer } from './support/balancer.ts'

const quiet = { signals: false as const, logger: false as const, port: 0 }

/** Answers with what the scope says about the client, the scheme and the host. */
const whoAmI: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return
  const host = scope.headers.find(([name]) => name === 'host')?.[1]
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
  await send({ type: 'http.response.body', body: JSON.stringify({ client: scope.client?.[0], scheme: scope.scheme, host }) })
}

/** A GET from a chosen loopback address (Linux routes all of 127/8 to lo), with extra headers. */
function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>))
    })
    req.on('error', reject)
    req.end()
  })
}

const spoof = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }

test('behind a trusted proxy hop the scope shows the client, scheme and host the proxy saw; a spoofed hop is not taken', async () => {
  const server = await serve(whoAmI, { ...quiet, trustProxy: ['127.0.0.1'] })
  const balancer = new Balancer([{ name: 'app', url: server.url }])
  const url = await balancer.listen()
  try {
    // The proxy connects from 127.0.0.1 (trusted); the client from 127.0.0.5 (not).
    const seen = await getFrom(url, '127.0.0.5', { host: 'shop.example' })
    assert.deepEqual(seen, { client: '127.0.0.5', scheme: 'http', host: 'shop.example' })
    // The client's own X-Forwarded-For sits left of an untrusted hop: never read.
    const spoofed = await getFrom(url, '127.0.0.5', { host: 'shop.example', 'x-forwarded-for': '203.0.113.9' })
    assert.equal(spoofed.client, '127.0.0.5')
  } finally {
    await balancer.close()
    await server.close()
  }
})

test('without trustProxy, or from an untrusted peer, forwarding headers are ignored', async () => {
  for (const trustProxy of [undefined, ['10.0.0.0/8']]) {
    const server = await serve(whoAmI, { ...quiet, ...(trustProxy ? { trustProxy } : {}) })
    try {
      const seen = await getFrom(server.url, '127.0.0.5', { ...spoof, host: 'shop.example' })
      assert.deepEqual(seen, { client: '127.0.0.5', scheme: 'http', host: 'shop.example' })
    } finally {
      await server.close()
    }
  }
})

test('Forwarded (RFC 7239) is read hop by hop from the right while the hops are trusted', async () => {
  const server = await serve(whoAmI, { ...quiet, trustProxy: ['127.0.0.0/8', '2001:db8::/32'] })
  try {
    const forwarded = 'for=198.51.100.7;proto=https;host=api.example.com, for="[2001:db8::1]:4711";proto=http'
    assert.deepEqual(await getFrom(server.url, '127.0.0.1', { forwarded }), {
      client: '198.51.100.7',
      scheme: 'https',
      host: 'api.example.com',
    })
    // Forwarded wins over X-Forwarded-*; a host that is not a plain host[:port] is not taken.
    assert.deepEqual(await getFrom(server.url, '127.0.0.1', { ...spoof, host: 'shop.example', forwarded: 'for=198.51.100.7;host="a b"' }), {
      client: '198.51.100.7',
      scheme: 'http',
      host: 'shop.example',
    })
  } finally {
    await server.close()
  }
})

test('trustProxy true takes the leftmost hop; X-Forwarded-Proto and -Host follow it', async () => {
  const server = await serve(whoAmI, { ...quiet, trustProxy: true })
  try {
    assert.deepEqual(
      await getFrom(server.url, '127.0.0.1', {
        'x-forwarded-for': '192.0.2.1, 10.1.2.3',
        'x-forwarded-proto': 'https, http',
        'x-forwarded-host': 'front.example, inner.local',
      }),
      { client: '192.0.2.1', scheme: 'https', host: 'front.example' },
    )
  } finally {
    await server.close()
  }
})

test('a bad trustProxy is refused by serve() and toNodeHandler(), naming the option and the value', async () => {
  const app: App = async () => {}
  for (const [value, message] of [
    ['yes', /trustProxy must be true, false, or a non-empty list of proxy addresses or CIDRs, got 'yes'/],
    [[], /trustProxy must be true, false, or a non-empty list/],
    [['10.0.0.0/33'], /trustProxy\[0\] must be an IP address or a CIDR such as '10.0.0.0\/8', got '10.0.0.0\/33'/],
    [['127.0.0.1', 'proxy.local'], /trustProxy\[1\] must be an IP address or a CIDR/],
  ] as const) {
    await assert.rejects(serve(app, { ...quiet, trustProxy: value as never }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError)
      assert.match(error.message, message)
      return true
    })
    assert.throws(() => toNodeHandler(app, { trustProxy: value as never }), message)
  }
})

test("behind a trusted proxy the A2A card's URL uses the forwarded scheme and the forwarded host that allowedHosts accepted", async () => {
  // The forwarded Host is what allowedHosts checks; a Host nobody checked never reaches the card.
  const a2a = a2aApp({
    card: { name: 'Proxied', description: 'Seen through a proxy' },
    executor: new StepsExecutor(),
    allowedHosts: ['agents.example'],
  })
  const server = await serve(router([mount('/a2a', a2a)]), { ...quiet, trustProxy: ['127.0.0.1'] })
  try {
    const response = await fetch(`${server.url}/a2a/.well-known/agent-card.json`, {
      headers: { forwarded: 'for=198.51.100.7;proto=https;host=agents.example' },
    })
    const card = (await response.json()) as { supportedInterfaces: Array<{ url: string }> }
    assert.equal(card.supportedInterfaces[0]?.url, 'https://agents.example/a2a/')
  } finally {
    await server.close()
  }
})
