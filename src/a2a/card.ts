// The agent card: the caller gives the parts that describe the agent, this file fills in the
// protocol's required-but-boring fields, and each request gets a copy whose JSON-RPC interface
// URL says where this app is actually reachable (publicUrl, or a checked Host, or the local
// address, + rootPath).

import type { AgentCard, AgentInterface } from '@a2a-js/sdk'
import type { HttpScope } from '../protocol/types.ts'
import { header } from '../sdk/http.ts'

/** An AgentCard where only `name` and `description` are required; the rest gets defaults. */
export type AgentCardInput = Pick<AgentCard, 'name' | 'description'> & Partial<AgentCard>

/** Where the JSON-RPC endpoint is, as clients must call it: a URL, or one computed per request. */
export type PublicUrl = string | ((scope: HttpScope) => string)

export const JSONRPC = 'JSONRPC'
export const PROTOCOL_VERSION = '1.0'

/** The card with every field the SDK and clients expect, and a v1.0 JSON-RPC interface. */
export function completeCard(input: AgentCardInput): AgentCard {
  const interfaces: AgentInterface[] = [...(input.supportedInterfaces ?? [])]
  if (!interfaces.some((i) => i.protocolBinding === JSONRPC)) {
    // The URL is filled per request; the version is what the SDK checks requests against.
    interfaces.unshift({ url: '', protocolBinding: JSONRPC, tenant: '', protocolVersion: PROTOCOL_VERSION })
  }
  return {
    provider: undefined,
    version: '1.0.0',
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
    signatures: [],
    ...input,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false, ...input.capabilities },
    supportedInterfaces: interfaces,
  }
}

/** A copy of `card` whose JSON-RPC interfaces point at `url`; other bindings stay as given. */
export function cardAt(card: AgentCard, url: string): AgentCard {
  return {
    ...card,
    supportedInterfaces: card.supportedInterfaces.map((i) => (i.protocolBinding === JSONRPC ? { ...i, url } : i)),
  }
}

// A Host header becomes part of a document clients trust, so only a plain host[:port] counts.
const plainHost = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_~]+)(?::\d{1,5})?$/

/**
 * The JSON-RPC endpoint's URL for this request: the mount root, ending in '/'. Without
 * `publicUrl`, the Host header is used only when `hostChecked` (allowedHosts accepted it);
 * otherwise the address the request arrived on, which no client can choose.
 */
export function endpointUrl(scope: HttpScope, publicUrl: PublicUrl | undefined, hostChecked: boolean): string {
  if (typeof publicUrl === 'string') return publicUrl
  if (typeof publicUrl === 'function') return publicUrl(scope)
  let host = hostChecked ? header(scope, 'host') : undefined
  if (host === undefined || !plainHost.test(host)) {
    const server = scope.server
    host = server === null ? 'localhost' : server[0].includes(':') ? `[${server[0]}]:${server[1]}` : `${server[0]}:${server[1]}`
  }
  return `${scope.scheme}://${host}${scope.rootPath}/`
}
