// Each host mounts a tsgi app at /a; what the app sees of the path, the query, HEAD and a
// client that leaves must be what serve() would give a child mounted at /a.

import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { test } from 'node:test'
import type { App, HttpScope } from '../src/index.ts'
import { host, hostNames } from './support/hosts.ts'

function echoApp(seen: HttpScope[]): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return
    seen.push(scope)
    const body = JSON.stringify({ path: scope.path, rawPath: scope.rawPath, rootPath: scope.rootPath, queryString: scope.queryString })
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] })
    await send({ type: 'http.response.body', body })
  }
}

for (const name of hostNames) {
  test(`${name}: a tsgi app at /a sees /a and /a/ as path '/', and the full rawPath`, async (t) => {
    const seen: HttpScope[] = []
    const hosted = await host(name, echoApp(seen))
    t.after(() => hosted.close())
    for (const path of ['/a', '/a/']) {
      const response = await fetch(`${hosted.origin}${path}`)
      assert.equal(response.status, 200, path)
      assert.deepEqual(await response.json(), { path: '/', rawPath: path, rootPath: '/a', queryString: '' })
    }
  })

  test(`${name}: /a/x%20y?q=1 reaches the app as path '/x y', rawPath '/a/x%20y', rootPath '/a', queryString 'q=1'`, async (t) => {
    const hosted = await host(name, echoApp([]))
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/x%20y?q=1`)
    assert.deepEqual(await response.json(), { path: '/x y', rawPath: '/a/x%20y', rootPath: '/a', queryString: 'q=1' })
  })

  test(`${name}: under a prefix with a parameter, /t/acme%20co/x?q=1 has rootPath '/t/acme co' (decoded, like path) and the raw segments in rawPath`, async (t) => {
    const hosted = await host(name, echoApp([]), { prefix: '/t/:tenant' })
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/t/acme%20co/x?q=1`)
    assert.deepEqual(await response.json(), { path: '/x', rawPath: '/t/acme%20co/x', rootPath: '/t/acme co', queryString: 'q=1' })
  })

  test(`${name}: /ax never reaches the app mounted at /a`, async (t) => {
    const seen: HttpScope[] = []
    const hosted = await host(name, echoApp(seen))
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/ax`)
    assert.equal(response.status, 404)
    await response.arrayBuffer()
    assert.equal(seen.length, 0)
  })

  test(`${name}: HEAD gets the headers and no body, and nothing is written twice`, async (t) => {
    // A host that writes a second head reports ERR_HTTP_HEADERS_SENT, thrown or logged.
    const errors: unknown[] = []
    const onError = (error: unknown): void => void errors.push(error)
    process.on('uncaughtException', onError)
    const consoleError = console.error
    console.error = (...args: unknown[]) => void errors.push(args)
    t.after(() => {
      process.off('uncaughtException', onError)
      console.error = consoleError
    })
    const hosted = await host(name, echoApp([]))
    t.after(() => hosted.close())
    const response = await fetch(`${hosted.origin}/a/x`, { method: 'HEAD' })
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/json')
    assert.equal((await response.arrayBuffer()).byteLength, 0)
    // A second request on the same server still works: nothing broke on the first.
    assert.equal((await fetch(`${hosted.origin}/a/y`)).status, 200)
    assert.deepEqual(errors, [])
  })

  test(`${name}: a client that leaves mid-stream gives the app http.disconnect within 100 ms`, async (t) => {
    let left: number | null = null
    let resolveLeft!: () => void
    const gone = new Promise<void>((resolve) => (resolveLeft = resolve))
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'http') return
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/event-stream']] })
      await send({ type: 'http.response.body', body: 'data: 1\n\n', moreBody: true })
      for (;;) {
        const message = await receive()
        if (message.type === 'http.disconnect') break
      }
      left = performance.now()
      resolveLeft()
    }
    const hosted = await host(name, app)
    t.after(() => hosted.close())
    const request = httpRequest(`${hosted.origin}/a/stream`)
    const firstChunk = new Promise<void>((resolve) => request.on('response', (res) => res.once('data', () => resolve())))
    request.on('error', () => undefined)
    request.end()
    await firstChunk
    const cut = performance.now()
    request.destroy()
    await Promise.race([gone, new Promise((_, reject) => setTimeout(() => reject(new Error('no http.disconnect within 2 s')), 2000))])
    assert.ok(left! - cut < 100, `http.disconnect came ${(left! - cut).toFixed(0)} ms after the client left`)
  })
}
