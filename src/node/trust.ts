// Which peers may speak for the client: the `trustProxy` option compiled, once, into a check of
// an address. Without it forwarding headers are the client's own words and are ignored.

import { BlockList, isIP } from 'node:net'

import { InvalidArgumentError } from '../protocol/errors.ts'

/** `true` trusts every peer (a proxy in front of everything); a list names the proxies: addresses or CIDRs. */
export type TrustProxy = boolean | readonly string[]

export type TrustCheck = (address: string) => boolean

/** '::ffff:10.0.0.1', as a dual-stack socket reports an IPv4 peer, is 10.0.0.1. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

const trustAll: TrustCheck = (address) => isIP(plainAddress(address)) !== 0

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : Array.isArray(value) ? 'an array' : String(value)
}

/** null when nothing is trusted; throws InvalidArgumentError naming `option` and the value. */
export function compileTrustProxy(value: unknown, option: string): TrustCheck | null {
  if (value === undefined || value === false) return null
  if (value === true) return trustAll
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidArgumentError(`${option} must be true, false, or a non-empty list of proxy addresses or CIDRs, got ${show(value)}`)
  }
  const trusted = new BlockList()
  value.forEach((entry: unknown, i) => {
    const [address = '', prefix, extra] = typeof entry === 'string' ? entry.split('/') : []
    const family = isIP(address)
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix)
    const valid =
      family !== 0 && extra === undefined && (prefix === undefined || /^\d{1,3}$/.test(prefix)) && bits <= (family === 4 ? 32 : 128)
    if (!valid) throw new InvalidArgumentError(`${option}[${i}] must be an IP address or a CIDR such as '10.0.0.0/8', got ${show(entry)}`)
    trusted.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6')
  })
  return (address) => {
    const plain = plainAddress(address)
    const family = isIP(plain)
    return family !== 0 && trusted.check(plain, family === 4 ? 'ipv4' : 'ipv6')
  }
}
