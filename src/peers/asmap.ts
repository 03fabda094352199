/**
 * An AS map: which autonomous system announces an IP prefix, so that one
 * provider's addresses count as one network group however many /16s it
 * holds (the idea of Bitcoin Core's asmap; our file is plain text, not its
 * compressed binary).
 *
 * Format, one mapping per line: `<CIDR> <ASN>`, e.g. `1.2.0.0/16 13335` or
 * `2001:db8::/32 AS64500`; `#` starts a comment; blank lines are skipped. The
 * longest matching prefix wins. Host bits set in a prefix, an AS number
 * outside 1..2^32-1 and one prefix mapped to two AS numbers are errors with
 * their line number (AsMapError): a map that silently lost lines would group
 * addresses wrongly without anyone noticing.
 *
 * Lookups probe one hash map per prefix length present (at most 33 for IPv4,
 * 129 for IPv6), so they cost O(prefix length) whatever the map's size.
 * IPv4-mapped IPv6 prefixes and addresses are treated as IPv4.
 */
import { readFile, stat } from 'node:fs/promises'
import { parseIp, parseIpLiteral } from './net-group.js'

/** Lines read at most (the full internet routing table is about 1.2 million prefixes). */
export const ASMAP_LINES_MAX = 2_000_000
/** Bytes read at most: ASMAP_LINES_MAX lines of a typical length. */
export const ASMAP_BYTES_MAX = 128 * 1024 * 1024
/** A longer line cannot be a mapping (the longest IPv6 CIDR plus an AS number is under 60 characters, comments aside). */
const LINE_CHARS_MAX = 1_000
const ASN_MAX = 2 ** 32 - 1

/** An AS map file that cannot be used: where (file and line) and why. */
export class AsMapError extends Error {
  override readonly name = 'AsMapError'
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(line === undefined ? `${source}: ${reason}` : `${source}:${line}: ${reason}`)
  }
}

/** 32 lower-case hex digits of an IPv6 address given as hextets. */
function hexOf(hextets: number[]): string {
  let out = ''
  for (const h of hextets) out += h.toString(16).padStart(4, '0')
  return out
}

/** The first `bits` bits of a 32-digit hex string, as a key: whole nibbles, the last one masked. */
function v6Key(hex: string, bits: number): string {
  const whole = bits >> 2
  const rest = bits & 3
  if (rest === 0) return hex.slice(0, whole)
  const nibble = Number.parseInt(hex[whole] ?? '0', 16) & ((0xf << (4 - rest)) & 0xf)
  return hex.slice(0, whole) + nibble.toString(16)
}

const isV4Mapped = (h: number[]): boolean => h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff

const v4Key = (v4: number, bits: number): number => (bits === 0 ? 0 : (v4 >>> (32 - bits)) >>> 0)

export class AsMap {
  /** Per prefix length: masked prefix → AS number. */
  private readonly v4 = new Map<number, Map<number, number>>()
  private readonly v6 = new Map<number, Map<string, number>>()
  /** The prefix lengths present, longest first. */
  private v4Lengths: number[] = []
  private v6Lengths: number[] = []
  private count = 0

  private constructor() {}

  /** How many prefixes the map holds. */
  get size(): number {
    return this.count
  }

  /** Parses an AS map's text; `source` names it in errors. Throws AsMapError. */
  static parse(text: string, source: string): AsMap {
    const map = new AsMap()
    let lineNo = 0
    let at = 0
    while (at <= text.length) {
      let end = text.indexOf('\n', at)
      if (end === -1) end = text.length
      lineNo++
      if (lineNo > ASMAP_LINES_MAX) throw new AsMapError(source, lineNo, `more than ${ASMAP_LINES_MAX} lines`)
      if (end - at > LINE_CHARS_MAX) throw new AsMapError(source, lineNo, `longer than ${LINE_CHARS_MAX} characters`)
      map.addLine(text.slice(at, end), source, lineNo)
      at = end + 1
    }
    map.v4Lengths = [...map.v4.keys()].sort((a, b) => b - a)
    map.v6Lengths = [...map.v6.keys()].sort((a, b) => b - a)
    return map
  }

  private addLine(raw: string, source: string, lineNo: number): void {
    const hash = raw.indexOf('#')
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (line === '') return
    const fields = line.split(/\s+/)
    if (fields.length !== 2) throw new AsMapError(source, lineNo, 'expected "<prefix>/<bits> <AS number>"')
    const [cidr = '', asText = ''] = fields
    const asn = /^(AS)?\d{1,10}$/i.test(asText) ? Number(asText.replace(/^AS/i, '')) : Number.NaN
    if (!(asn >= 1 && asn <= ASN_MAX)) throw new AsMapError(source, lineNo, `bad AS number "${asText}"`)
    const slash = cidr.indexOf('/')
    const bitsText = slash === -1 ? '' : cidr.slice(slash + 1)
    let ip = parseIpLiteral(slash === -1 ? '' : cidr.slice(0, slash))
    if (ip === undefined || !/^\d{1,3}$/.test(bitsText)) throw new AsMapError(source, lineNo, `bad prefix "${cidr}"`)
    let bits = Number(bitsText)
    // an IPv4-mapped prefix (::ffff:a.b.c.d/96+n) is the IPv4 prefix a.b.c.d/n, as lookups see it
    if (ip.family === 6 && bits >= 96 && isV4Mapped(ip.hextets)) {
      ip = { family: 4, v4: ((ip.hextets[6] ?? 0) * 0x10000 + (ip.hextets[7] ?? 0)) >>> 0 }
      bits -= 96
    }
    if (bits < 0 || bits > (ip.family === 4 ? 32 : 128)) throw new AsMapError(source, lineNo, `bad prefix "${cidr}"`)
    if (ip.family === 4) {
      const key = v4Key(ip.v4, bits)
      if (bits < 32 && (ip.v4 & (2 ** (32 - bits) - 1)) !== 0) {
        throw new AsMapError(source, lineNo, `"${cidr}" has host bits set`)
      }
      this.put(this.v4, bits, key, asn, source, lineNo)
    } else {
      const hex = hexOf(ip.hextets)
      const key = v6Key(hex, bits)
      if (!/^0*$/.test(hex.slice(key.length)) || v6Key(hex, Math.ceil(bits / 4) * 4) !== key) {
        throw new AsMapError(source, lineNo, `"${cidr}" has host bits set`)
      }
      this.put(this.v6, bits, key, asn, source, lineNo)
    }
  }

  private put<K>(
    byLength: Map<number, Map<K, number>>,
    bits: number,
    key: K,
    asn: number,
    source: string,
    lineNo: number,
  ): void {
    let table = byLength.get(bits)
    if (table === undefined) {
      table = new Map()
      byLength.set(bits, table)
    }
    const before = table.get(key)
    if (before !== undefined && before !== asn) {
      throw new AsMapError(source, lineNo, `prefix already mapped to AS${before}`)
    }
    if (before === undefined) this.count++
    table.set(key, asn)
  }

  /** The AS number of the longest prefix holding `ip`, or undefined (also for anything that is not an IP). */
  lookup(ip: string): number | undefined {
    const parsed = parseIp(ip)
    if (parsed === undefined) return undefined
    if (parsed.family === 4) {
      for (const bits of this.v4Lengths) {
        const asn = this.v4.get(bits)?.get(v4Key(parsed.v4, bits))
        if (asn !== undefined) return asn
      }
      return undefined
    }
    const hex = hexOf(parsed.hextets)
    for (const bits of this.v6Lengths) {
      const asn = this.v6.get(bits)?.get(v6Key(hex, bits))
      if (asn !== undefined) return asn
    }
    return undefined
  }
}

/** Reads and parses the AS map at `path`; AsMapError when it is too large or malformed (a missing file throws the fs error). */
export async function loadAsMap(path: string): Promise<AsMap> {
  const { size } = await stat(path)
  if (size > ASMAP_BYTES_MAX) throw new AsMapError(path, undefined, `larger than ${ASMAP_BYTES_MAX} bytes`)
  return AsMap.parse(await readFile(path, 'utf8'), path)
}
