/**
 * What a manual ban names: one peer id, or an IP subnet in CIDR form
 * (IPv4 `a.b.c.d/n`, IPv6 `x:y::/n`; a bare address is /32 or /128). A
 * subnet ban holds whatever key the peer uses, which a peer-id ban does not.
 */
import { BlockList, isIP } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isPeerId } from './peer-ids.js'

export type BanTarget =
  | { kind: 'peer'; peer: string }
  | { kind: 'subnet'; address: string; prefix: number; family: 'ipv4' | 'ipv6'; text: string }

/** A ban target that is neither a peer id nor a subnet. */
export class BanTargetError extends RangeError {
  override readonly name = 'BanTargetError'
}

const TARGET_CHARS_MAX = 128

/**
 * Parses a peer id or CIDR subnet; throws BanTargetError. The subnet's text is
 * normalized (`10.1.0.0/16`). `isPeer` decides what counts as a peer id: the
 * full parse for the operator's input, the cheaper shape check for a file.
 */
export function parseBanTarget(text: string, isPeer: (text: string) => boolean = isPeerId): BanTarget {
  if (typeof text !== 'string' || text.length === 0 || text.length > TARGET_CHARS_MAX) {
    throw new BanTargetError('a ban target is a peer id or an IP subnet (CIDR) of at most 128 characters')
  }
  if (!text.includes('.') && !text.includes(':') && isPeer(text)) return { kind: 'peer', peer: text }
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const version = isIP(address)
  if (version === 0) throw new BanTargetError(`not a peer id or an IP subnet: ${JSON.stringify(text)}`)
  const bits = version === 4 ? 32 : 128
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    throw new BanTargetError(`subnet prefix must be 0..${bits}: ${JSON.stringify(text)}`)
  }
  const prefix = Number(prefixText)
  return {
    kind: 'subnet',
    address,
    prefix,
    family: version === 4 ? 'ipv4' : 'ipv6',
    text: `${address}/${prefix}`,
  }
}

/** A target's key in the ban list: the peer id, or the normalized subnet. */
export function banKey(target: BanTarget): string {
  return target.kind === 'peer' ? target.peer : target.text
}

/** The IP address of a multiaddr (`/ip4/…` or `/ip6/…`), if it has one. */
export function ipOf(ma: Multiaddr): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  for (const c of ma.getComponents()) {
    if ((c.name === 'ip4' || c.name === 'ip6') && c.value !== undefined) {
      return { address: c.value, family: c.name === 'ip4' ? 'ipv4' : 'ipv6' }
    }
  }
  return undefined
}

/** A set of subnets answering "is this address in one of them". */
export class SubnetSet {
  private list = new BlockList()
  private readonly subnets = new Map<string, Extract<BanTarget, { kind: 'subnet' }>>()

  get size(): number {
    return this.subnets.size
  }

  add(subnet: Extract<BanTarget, { kind: 'subnet' }>): void {
    if (this.subnets.has(subnet.text)) return
    this.subnets.set(subnet.text, subnet)
    this.list.addSubnet(subnet.address, subnet.prefix, subnet.family)
  }

  delete(text: string): boolean {
    if (!this.subnets.delete(text)) return false
    // BlockList cannot remove a rule: rebuild it from the rest
    this.list = new BlockList()
    for (const s of this.subnets.values()) this.list.addSubnet(s.address, s.prefix, s.family)
    return true
  }

  has(address: string, family: 'ipv4' | 'ipv6'): boolean {
    return this.subnets.size > 0 && this.list.check(address, family)
  }
}
