// A secret every worker of one machine shares: made once, at random, in the primary, and handed
// to each worker that asks over the IPC channel (never through the environment, which every
// child process a worker spawns would inherit). A worker restarted or replaced by a reload gets
// the same secret, so what one worker signed, any other verifies. Outside a worker it is made
// in process, once per name.
//
// Across several machines no primary is shared: give the secret yourself (an option, an
// environment variable) to each of them instead.

import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'

import { InvalidArgumentError } from '../protocol/errors.ts'

/** Bytes of each secret: 256 bits, what an HMAC-SHA256 key wants. */
const SECRET_BYTES = 32
/** How long a worker waits for the primary's answer before it gives up. */
const ANSWER_TIMEOUT_MS = 10_000

type SecretMessage =
  | { tsgi: 'shared-secret'; type: 'ask'; name: string }
  | { tsgi: 'shared-secret'; type: 'answer'; name: string; secret: string }

function isSecretMessage(value: unknown): value is SecretMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Partial<SecretMessage> & { name?: unknown }
  return message.tsgi === 'shared-secret' && typeof message.name === 'string'
}

/** The secrets this process made (the primary's, or a lone process's), by name. */
const made = new Map<string, Buffer>()
/** The secrets this worker asked for, by name. */
const asked = new Map<string, Promise<Uint8Array>>()

function make(name: string): Buffer {
  const known = made.get(name)
  if (known !== undefined) return known
  const secret = randomBytes(SECRET_BYTES)
  made.set(name, secret)
  return secret
}

/**
 * The machine-wide secret named `name` (32 random bytes): the same in every worker of one
 * serve({ workers }), made in the primary; in a process that is no worker, made here.
 * Rejects when a worker's primary does not answer (a node:cluster primary that is not tsgi's).
 * @example const key = await sharedSecret('my-app:cookie-signing')
 */
export function sharedSecret(name: string): Promise<Uint8Array> {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('sharedSecret() needs a non-empty name')
  if (!cluster.isWorker) return Promise.resolve(new Uint8Array(make(name)))
  let answer = asked.get(name)
  if (answer === undefined) {
    answer = askPrimary(name)
    asked.set(name, answer)
    // A failed ask is not remembered: the next caller asks again.
    answer.catch(() => asked.delete(name))
  }
  return answer
}

function askPrimary(name: string): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!isSecretMessage(message) || message.type !== 'answer' || message.name !== name) return
      done()
      resolve(new Uint8Array(Buffer.from(message.secret, 'base64')))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`the primary did not hand out the shared secret '${name}' within ${ANSWER_TIMEOUT_MS} ms`))
    }, ANSWER_TIMEOUT_MS)
    const done = (): void => {
      clearTimeout(timer)
      process.off('message', onMessage)
    }
    process.on('message', onMessage)
    if (!process.connected) {
      done()
      reject(new Error(`no primary to ask for the shared secret '${name}': the IPC channel is closed`))
      return
    }
    process.send!({ tsgi: 'shared-secret', type: 'ask', name } satisfies SecretMessage, undefined, undefined, () => undefined)
  })
}

/**
 * The primary's half: answers every worker that asks for a secret, making it on the first ask.
 * Returns the function that stops answering. serve({ workers }) installs it in the primary.
 */
export function handOutSharedSecrets(): () => void {
  const answer = (worker: Worker, message: unknown): void => {
    if (!isSecretMessage(message) || message.type !== 'ask' || !worker.isConnected()) return
    const reply: SecretMessage = {
      tsgi: 'shared-secret',
      type: 'answer',
      name: message.name,
      secret: make(message.name).toString('base64'),
    }
    worker.send(reply, () => undefined)
  }
  cluster.on('message', answer)
  return () => cluster.off('message', answer)
}
