// What a client declares about itself at initialize (`clientInfo`, `capabilities`) is kept by
// the SDK, parsed, for the whole life of the session: its size is what a session costs beyond
// the fixed part, and a client may not make it as large as the body limit allows.

import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'

/** The JSON bytes of the initialize requests' `clientInfo` and `capabilities` in `body`, and the first one's id. */
export function declaredBytes(body: unknown): { bytes: number; id: string | number | null } {
  const messages = Array.isArray(body) ? body : [body]
  let bytes = 0
  let id: string | number | null = null
  for (const message of messages) {
    if (!isInitializeRequest(message)) continue
    id ??= (message as { id?: string | number }).id ?? null
    const { clientInfo, capabilities } = message.params
    bytes += Buffer.byteLength(JSON.stringify(clientInfo) ?? '') + Buffer.byteLength(JSON.stringify(capabilities) ?? '')
  }
  return { bytes, id }
}
