// Which bucket a client address counts in for the per-client caps. An IPv4 address is one
// client. An IPv6 address is not: one home or one rented server is given a whole /64 (RFC 6177
// advises at least that for an end site), so an attacker who counted per address could take a
// fresh one from its /64 for every session and walk past every per-client cap. The /64 prefix is
// the smallest block one party is commonly given, so it is the bucket.

import { isIP } from 'node:net'

import { plainAddress } from './trust.ts'

/** '10.0.0.1' → '10.0.0.1'; '2001:db8:1:2:aa::5' → '2001:db8:1:2::/64'; anything else as given. */
export function clientGroup(address: string): string {
  const plain = plainAddress(address)
  if (isIP(plain) !== 6) return plain
  return `${expandedHextets(plain).slice(0, 4).join(':')}::/64`
}

/** The eight hextets of an IPv6 address, '::' expanded, leading zeros dropped; a zone id ignored. */
function expandedHextets(address: string): string[] {
  const bare = address.split('%')[0] ?? address
  const [head = '', tail] = bare.split('::')
  const part = (text: string): string[] => (text === '' ? [] : text.split(':'))
  const left = part(head)
  const right = part(tail ?? '')
  // An embedded IPv4 tail ('::ffff:1.2.3.4' forms other than the mapped one) is two hextets;
  // it sits in the low half, which the /64 drops, so it only has to count as two.
  const width = (groups: string[]): number => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0)
  const zeros = tail === undefined ? [] : new Array<string>(8 - width(left) - width(right)).fill('0')
  return [...left, ...zeros, ...right].map((hextet) => (hextet.includes('.') ? hextet : Number.parseInt(hextet, 16).toString(16)))
}
