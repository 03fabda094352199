/**
 * Network groups: which addresses one operator can cheaply hold many of. An
 * attacker rents IPs inside a few /16s (IPv4) or /32s (IPv6), rarely across
 * many, so the peer manager spreads buckets, outbound slots and inbound
 * caps by group instead of by address (Bitcoin Core's GetGroup). When an AS
 * map is loaded, the AS number is the group: one provider is one operator.
 *
 * Groups are computed from the IP a connection came from (or an address we
 * dial), never from what a peer says about itself. IPv4-mapped IPv6, 6to4 and
 * Teredo addresses carry an IPv4 address and are grouped as that IPv4, so one
 * host cannot count as two groups by switching notation.
 *
 * `local` collects everything that is not routable on the internet (loopback,
 * private, link-local, ...): a devnet on one machine. In lab mode
 * `127.A.B.C` is routable and grouped by `127.A.B`, so tests model many
 * groups on one machine. Pure string arithmetic: no DNS, no I/O.
 */
import { isIP } from 'node:net'
import type { GroupPolicy } from './types.js'

/** The group of every non-routable address; the only group without per-group limits. */
export const LOCAL_GROUP = 'local'

/** An IP as numbers: IPv4 as one unsigned 32-bit value, IPv6 as eight 16-bit hextets. */
export type ParsedIp = { family: 4; v4: number } | { family: 6; hextets: number[] }

/** The IP of a multiaddr string (`/ip4/1.2.3.4/tcp/1`, `/ip6/::1/...`, `/ip6zone/eth0/ip6/fe80::1/...`) or of a bare IP; undefined for DNS names and anything else. */
export function ipOfAddr(addr: string): string | undefined {
  if (!addr.startsWith('/')) return isIP(addr) === 0 ? undefined : addr
  // the common case without building arrays: it runs for every address a peer announces
  if (addr.startsWith('/ip4/')) {
    const end = addr.indexOf('/', 5)
    const ip = end === -1 ? addr.slice(5) : addr.slice(5, end)
    return parseV4(ip) === undefined ? undefined : ip
  }
  const parts = addr.split('/', 5)
  let at = 1
  if (parts[at] === 'ip6zone') at += 2
  const ip = parts[at + 1]
  return parts[at] === 'ip6' && ip !== undefined && isIP(ip) === 6 ? ip : undefined
}

/** Dotted-quad IPv4 as one unsigned value; undefined unless exactly four decimal bytes without leading zeros (what isIP accepts). */
function parseV4(ip: string): number | undefined {
  let value = 0
  let byte = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined
      value = value * 256 + byte
      byte = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && byte === 0) return undefined
      byte = byte * 10 + (c - 48)
      if (++digits > 3 || byte > 255) return undefined
    } else {
      return undefined
    }
  }
  if (dots !== 3 || digits === 0) return undefined
  return value * 256 + byte
}

function parseV6(ip: string): number[] | undefined {
  const zoneAt = ip.indexOf('%')
  const text = (zoneAt === -1 ? ip : ip.slice(0, zoneAt)).toLowerCase()
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const toHextets = (half: string): number[] | undefined => {
    if (half === '') return []
    const out: number[] = []
    const groups = half.split(':')
    for (const [i, group] of groups.entries()) {
      if (i === groups.length - 1 && group.includes('.')) {
        const v4 = parseV4(group)
        if (v4 === undefined) return undefined
        out.push(v4 >>> 16, v4 & 0xffff)
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined
        out.push(Number.parseInt(group, 16))
      }
    }
    return out
  }
  const head = toHextets(halves[0] ?? '')
  const tail = halves.length === 2 ? toHextets(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  if (head.length + tail.length > 7) return undefined
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

/** Parses an IP string as written: IPv6 stays IPv6 whatever it embeds. */
export function parseIpLiteral(ip: string): ParsedIp | undefined {
  if (!ip.includes(':')) {
    const v4 = parseV4(ip)
    return v4 === undefined ? undefined : { family: 4, v4 }
  }
  if (isIP(ip) !== 6) return undefined
  const hextets = parseV6(ip)
  return hextets === undefined ? undefined : { family: 6, hextets }
}

/** Parses an IP string; an IPv6 address that embeds an IPv4 one (mapped, 6to4, Teredo, NAT64) comes back as that IPv4. */
export function parseIp(ip: string): ParsedIp | undefined {
  const parsed = parseIpLiteral(ip)
  if (parsed === undefined || parsed.family === 4) return parsed
  const v4 = embeddedV4(parsed.hextets)
  return v4 === undefined ? parsed : { family: 4, v4 }
}

const word = (hi: number | undefined, lo: number | undefined): number => ((hi ?? 0) * 0x10000 + (lo ?? 0)) >>> 0

/** The IPv4 address an IPv6 address stands for, if it is one of the notations that carry one. */
function embeddedV4(h: number[]): number | undefined {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64, RFC 6052)
  if (h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0xffff) return word(h6, h7)
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0) return word(h6, h7)
  // 2002:AABB:CCDD::/48 (6to4, RFC 3964)
  if (h0 === 0x2002) return word(h1, h2)
  // 2001:0000::/32 (Teredo, RFC 4380): the client's address, bit-inverted, in the last 32 bits
  if (h0 === 0x2001 && h1 === 0) return ~word(h6, h7) >>> 0
  return undefined
}

const inV4 = (v4: number, base: number, bits: number): boolean =>
  bits === 0 || v4 >>> (32 - bits) === base >>> (32 - bits)

const v4Of = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

/** IPv4 ranges no internet peer can be reached at (besides 127/8, which lab mode opens). */
const V4_UNROUTABLE: ReadonlyArray<[number, number]> = [
  [v4Of(0, 0, 0, 0), 8], // "this network", unspecified
  [v4Of(10, 0, 0, 0), 8], // RFC 1918
  [v4Of(100, 64, 0, 0), 10], // CGNAT, RFC 6598
  [v4Of(169, 254, 0, 0), 16], // link-local, RFC 3927
  [v4Of(172, 16, 0, 0), 12], // RFC 1918
  [v4Of(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4Of(192, 0, 2, 0), 24], // TEST-NET-1, RFC 5737
  [v4Of(192, 168, 0, 0), 16], // RFC 1918
  [v4Of(198, 18, 0, 0), 15], // benchmarking, RFC 2544
  [v4Of(198, 51, 100, 0), 24], // TEST-NET-2
  [v4Of(203, 0, 113, 0), 24], // TEST-NET-3
  [v4Of(224, 0, 0, 0), 4], // multicast
  [v4Of(240, 0, 0, 0), 4], // reserved and broadcast
]

/** IPv6 ranges as (first hextets, prefix bits); the IPv4-carrying ones were turned into IPv4 before this. */
const V6_UNROUTABLE: ReadonlyArray<[number[], number]> = [
  [[0xfc00], 7], // unique local, RFC 4193
  [[0xfe80], 10], // link-local
  [[0xfec0], 10], // site-local (deprecated)
  [[0xff00], 8], // multicast
  [[0x2001, 0x0db8], 32], // documentation, RFC 3849
  [[0x2001, 0x0010], 28], // ORCHID, RFC 4843
  [[0x2001, 0x0020], 28], // ORCHIDv2, RFC 7343
  [[0x0100, 0, 0, 0], 64], // discard, RFC 6666
]

function inV6(h: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i * 16 < bits; i++) {
    const take = Math.min(16, bits - i * 16)
    const mask = (0xffff << (16 - take)) & 0xffff
    if (((h[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

function routableParsed(ip: ParsedIp, policy: GroupPolicy): boolean {
  if (ip.family === 4) {
    if (inV4(ip.v4, v4Of(127, 0, 0, 0), 8)) return policy.lab
    return !V4_UNROUTABLE.some(([base, bits]) => inV4(ip.v4, base, bits))
  }
  const h = ip.hextets
  // :: and ::1, and the rest of ::/96 (deprecated IPv4-compatible)
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0) return false
  return !V6_UNROUTABLE.some(([prefix, bits]) => inV6(h, prefix, bits))
}

/** Whether a peer at `ip` could be reached over the internet (in lab mode 127/8 counts too). False for anything unparsable. */
export function isRoutable(ip: string, policy: GroupPolicy): boolean {
  const parsed = parseIp(ip)
  return parsed !== undefined && routableParsed(parsed, policy)
}

const hex4 = (n: number | undefined): string => (n ?? 0).toString(16).padStart(4, '0')

/**
 * The network group of `ip`: `lab:127.A.B` (lab mode), `local` (not
 * routable, or not an IP at all), `as:N` (the AS map knows it), else
 * `ip4:A.B` or `ip6:xxxx:xxxx`.
 */
export function netGroup(ip: string, policy: GroupPolicy): string {
  const parsed = parseIp(ip)
  if (parsed === undefined) return LOCAL_GROUP
  if (parsed.family === 4 && policy.lab && parsed.v4 >>> 24 === 127) {
    return `lab:127.${(parsed.v4 >>> 16) & 255}.${(parsed.v4 >>> 8) & 255}`
  }
  if (!routableParsed(parsed, policy)) return LOCAL_GROUP
  if (policy.asmap !== undefined) {
    const asn = policy.asmap.lookup(parsed.family === 4 ? v4Text(parsed.v4) : ip)
    if (asn !== undefined) return `as:${asn}`
  }
  if (parsed.family === 4) return `ip4:${parsed.v4 >>> 24}.${(parsed.v4 >>> 16) & 255}`
  return `ip6:${hex4(parsed.hextets[0])}:${hex4(parsed.hextets[1])}`
}

/** Dotted text of an IPv4 value. */
export function v4Text(v4: number): string {
  return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`
}

/** Whether per-group rules (one outbound per group, inbound caps, bucket spreading) apply to `group`: all but `local`. */
export function isGroupLimited(group: string): boolean {
  return group !== LOCAL_GROUP
}
