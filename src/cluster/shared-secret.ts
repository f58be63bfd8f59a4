// A secret every worker of one machine shares: made once, at random, in the primary, and handed
// to each worker that asks over the primary's service channel (hub.ts, link.ts; never through
// the environment, which every
// child process a worker spawns would inherit). A worker restarted or replaced by a reload gets
// the same secret, so what one worker signed, any other verifies. Outside a worker it is made
// in process, once per name.
//
// Across several machines no primary is shared: give the secret yourself (an option, an
// environment variable) to each of them instead.

import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'

import { InvalidArgumentError } from '../protocol/errors.ts'
import { providePrimaryService } from './hub.ts'
import { callPrimary } from './link.ts'

const SERVICE = 'tsgi:shared-secret'
/** Bytes of each secret: 256 bits, what an HMAC-SHA256 key wants. */
const SECRET_BYTES = 32

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

async function askPrimary(name: string): Promise<Uint8Array> {
  try {
    const secret = await callPrimary(SERVICE, name)
    return new Uint8Array(secret as Uint8Array)
  } catch (error) {
    throw new Error(`the primary did not hand out the shared secret '${name}': ${(error as Error).message}`)
  }
}

// The primary's half: answers every worker that asks for a secret, making it on the first ask.
if (cluster.isPrimary) {
  providePrimaryService(SERVICE, { call: (_from, name) => new Uint8Array(make(String(name))) })
}
