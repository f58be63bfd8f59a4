// Real node:http servers running toNodeHandler(), and a raw TCP client for the tests that need
// exact bytes on the wire (request-targets undici would normalise, disconnects, slow readers).

import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { toNodeHandler, type NodeHandlerOptions } from '../../src/node/handler.ts'
import type { App, Logger } from '../../src/index.ts'

export interface Running {
  server: Server
  port: number
  origin: string
  /** Every call the bridge made on its logger, as [level, ...args]. */
  logs: unknown[][]
}

/** A logger that remembers instead of printing. */
export function recordingLogger(logs: unknown[][]): Logger {
  return {
    debug: (...args) => logs.push(['debug', ...args]),
    info: (...args) => logs.push(['info', ...args]),
    warn: (...args) => logs.push(['warn', ...args]),
    error: (...args) => logs.push(['error', ...args]),
  }
}

/** Serves `app` on 127.0.0.1 port 0 until the test ends. */
export async function serveBridge(t: TestContext, app: App, options: NodeHandlerOptions = {}): Promise<Running> {
  const logs: unknown[][] = []
  const server = createServer(toNodeHandler(app, { logger: recordingLogger(logs), ...options }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
  return { server, port: address.port, origin: `http://127.0.0.1:${address.port}`, logs }
}

/** A raw connection; the test owns it and its bytes. */
export async function rawSocket(t: TestContext, port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  t.after(() => socket.destroy())
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  return socket
}

/**
 * Writes `request` on a fresh connection and collects every byte until the server closes it;
 * rejects when the server keeps it open past `timeoutMs`.
 */
export async function rawExchange(t: TestContext, port: number, request: string | Buffer, timeoutMs = 5000): Promise<string> {
  const socket = await rawSocket(t, port)
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      const got = Buffer.concat(chunks).toString('latin1')
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms; got ${JSON.stringify(got)}`))
    }, timeoutMs)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  socket.write(request)
  await closed
  return Buffer.concat(chunks).toString('latin1')
}

/** Resolves when `socket` has received at least `pattern`; returns everything received so far. */
export function receivedUntil(socket: Socket, pattern: RegExp): Promise<string> {
  let text = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1')
      if (pattern.test(text)) {
        socket.off('data', onData)
        resolve(text)
      }
    }
    socket.on('data', onData)
    socket.once('close', () => reject(new Error(`connection closed before ${pattern}; got ${JSON.stringify(text)}`)))
  })
}

/** A promise and its resolver, for handing signals between an app and its test. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
