// The requestState codec every worker shares. A multi-round `input_required` flow hands the
// client a signed `requestState` and takes it back on the next round, which a balancer may send
// to any worker: each must verify what another signed, so all sign with one key. The key is the
// app's option or environment variable when given (several machines), else a secret made once
// per machine in the primary and handed to its workers.

import { createRequestStateCodec, type RequestStateCodec } from '@modelcontextprotocol/server'
import { sharedSecret } from '../cluster/shared-secret.ts'

/** The shared secret's name: one key for every mcpServerApp of the machine. */
const SECRET_NAME = 'mcp-server:request-state'

export async function requestStateCodec(key: Uint8Array | null): Promise<RequestStateCodec> {
  return createRequestStateCodec({ key: key ?? (await sharedSecret(SECRET_NAME)) })
}
