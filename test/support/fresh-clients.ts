// Clients whose every request opens a new TCP connection: node:cluster hands consecutive
// connections to different workers, so state that works only on the worker that made it fails.

import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client'
import { Agent, fetch as undiciFetch } from 'undici'

/** undici with keep-alive off (pipelining 0): one connection per request. */
export const freshDispatcher = new Agent({ pipelining: 0 })

/**
 * fetch on fresh connections; with `timeoutMs`, a request not answered by then is aborted (a
 * connection the primary was handing to a worker as it was killed is never answered).
 */
export function freshFetch(timeoutMs?: number): typeof fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const signal =
      timeoutMs === undefined ? init?.signal : AbortSignal.any([...(init?.signal ? [init.signal] : []), AbortSignal.timeout(timeoutMs)])
    return undiciFetch(input as never, { ...(init as object), signal, dispatcher: freshDispatcher } as never)
  }) as unknown as typeof fetch
}

/** The official A2A client, every call on a fresh connection. */
export function freshA2aClient(url: string, timeoutMs?: number): Promise<Client> {
  const fetchImpl = freshFetch(timeoutMs)
  return new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
  }).createFromUrl(url)
}
