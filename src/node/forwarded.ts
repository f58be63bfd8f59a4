// Behind trusted proxies, the scope tells the truth: Forwarded (RFC 7239) or X-Forwarded-For /
// -Proto / -Host set `client`, `scheme` and the Host header. Proxies append, so the list is read
// from the right, hop by hop, only while the hop that wrote an entry is trusted: whatever a
// client put in the header itself sits to the left of the first untrusted hop and is never read.

import { isIP } from 'node:net'

import type { HttpScope } from '../protocol/types.ts'
import { plainAddress, type TrustCheck } from './trust.ts'

interface Hop {
  /** The address this hop's proxy saw its peer at; '' when unknown or obfuscated. */
  address: string
  port: number
  proto: string | undefined
  host: string | undefined
}

// A Host header ends up in documents clients trust (the A2A card): only a plain host[:port].
const plainHost = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_~]+)(?::\d{1,5})?$/

function values(headers: Array<[string, string]>, name: string): string[] {
  const found: string[] = []
  for (const [key, value] of headers) if (key === name) found.push(...value.split(','))
  return found.map((v) => v.trim()).filter((v) => v !== '')
}

/** '[2001:db8::1]:4711', '192.0.2.1:80', '192.0.2.1', '2001:db8::1' → address and port. */
function node(text: string): { address: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed) return { address: isIP(bracketed[1]!) === 6 ? bracketed[1]! : '', port: Number(bracketed[2] ?? 0) }
  const withPort = /^([\d.]+):(\d+)$/.exec(text)
  if (withPort) return { address: isIP(withPort[1]!) === 4 ? withPort[1]! : '', port: Number(withPort[2]) }
  return { address: isIP(text) !== 0 ? plainAddress(text) : '', port: 0 }
}

function fromForwarded(elements: string[]): Hop[] {
  return elements.map((element) => {
    const pairs = new Map<string, string>()
    for (const pair of element.split(';')) {
      const at = pair.indexOf('=')
      if (at > 0)
        pairs.set(
          pair.slice(0, at).trim().toLowerCase(),
          pair
            .slice(at + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        )
    }
    return { ...node(pairs.get('for') ?? ''), proto: pairs.get('proto'), host: pairs.get('host') }
  })
}

function fromXForwarded(headers: Array<[string, string]>, forwardedFor: string[]): Hop[] {
  const protos = values(headers, 'x-forwarded-proto')
  const hosts = values(headers, 'x-forwarded-host')
  // Proxies that append give one entry per hop; ones that overwrite leave a single value. Any
  // other shape is read from the right, where the nearest (trusted) proxy wrote.
  const pick = (list: string[], i: number) => (list.length === forwardedFor.length ? list[i] : list[list.length - 1])
  return forwardedFor.map((entry, i) => ({ ...node(entry), proto: pick(protos, i), host: pick(hosts, i) }))
}

/** Rewrites `scope` from the forwarding headers, when the socket's peer is a trusted proxy. */
export function applyForwarded(scope: HttpScope, trusted: TrustCheck): void {
  const peer = scope.client
  if (peer === null || !trusted(peer[0])) return
  const forwarded = values(scope.headers, 'forwarded')
  const hops = forwarded.length > 0 ? fromForwarded(forwarded) : fromXForwarded(scope.headers, values(scope.headers, 'x-forwarded-for'))
  if (hops.length === 0) return
  let i = hops.length - 1
  while (i > 0 && hops[i]!.address !== '' && trusted(hops[i]!.address)) i--
  const client = hops[i]!
  if (client.address !== '') scope.client = [client.address, client.port]
  const proto = client.proto?.toLowerCase()
  if (proto === 'http' || proto === 'https') scope.scheme = proto
  if (client.host !== undefined && plainHost.test(client.host)) setHost(scope.headers, client.host)
}

function setHost(headers: Array<[string, string]>, host: string): void {
  const at = headers.findIndex(([name]) => name === 'host')
  if (at === -1) headers.push(['host', host])
  else headers[at] = ['host', host]
}
