/**
 * The lab links file (`--lab-links FILE`, lab only): which region each host
 * is in, the one-way latency between regions, jitter, uplink bandwidth and an
 * optional partition. Strictly checked: a bad file is a LinksFileError that
 * names the key.
 *
 * ```json
 * { "self": "127.0.1.1",
 *   "hosts": { "127.0.1.1": "na-east", "127.0.2.0/24": "eu-west", "node-3.lab": "ap-south" },
 *   "regions": ["na-east", "eu-west", "ap-south"],
 *   "latencyMs": [[0, 40, 110], [40, 0, 90], [110, 90, 0]],
 *   "jitterMs": 2,
 *   "bandwidthMbit": { "127.0.1.1": 20 },
 *   "defaultBandwidthMbit": 50,
 *   "partition": null }
 * ```
 */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'

/** A host key: one IP, a CIDR subnet, or a DNS name (resolved, and re-resolved while the node runs). */
export type HostKey =
  | { kind: 'ip'; ip: string }
  | { kind: 'cidr'; address: string; prefix: number; family: 'ipv4' | 'ipv6' }
  | { kind: 'name'; name: string }

export interface LinksSpec {
  /** This node's own IP or host name; its region is the source of every link. */
  self: string
  /** Host key → region. */
  hosts: ReadonlyMap<string, string>
  regions: readonly string[]
  /** latencyMs[src][dst]: one-way, by index in `regions`. */
  latencyMs: readonly (readonly number[])[]
  jitterMs: number
  /** Host key → uplink Mbit/s. */
  bandwidthMbit: ReadonlyMap<string, number>
  /** Undefined: hosts not in `bandwidthMbit` have an unlimited uplink. */
  defaultBandwidthMbit: number | undefined
  /** Groups of IPs that cannot reach each other; null: none. */
  partition: string[][] | null
}

/** A links file that cannot be used; `key` is the JSON path of the problem (`latencyMs[1][2]`). */
export class LinksFileError extends Error {
  override readonly name = 'LinksFileError'
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`lab links: ${key}: ${reason}`)
  }
}

const KEYS = new Set([
  'self',
  'hosts',
  'regions',
  'latencyMs',
  'jitterMs',
  'bandwidthMbit',
  'defaultBandwidthMbit',
  'partition',
])
/** Latency and jitter above this are a typo, not a WAN. */
const DELAY_MS_MAX = 60_000
const HOSTS_MAX = 100_000
const REGIONS_MAX = 256
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

/** Parses a host key; undefined when it is none of an IP, a CIDR subnet or a DNS name. */
export function parseHostKey(text: string): HostKey | undefined {
  const slash = text.indexOf('/')
  if (slash >= 0) {
    const address = text.slice(0, slash)
    const version = isIP(address)
    const prefixText = text.slice(slash + 1)
    const bits = version === 4 ? 32 : 128
    if (version === 0 || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined
    return { kind: 'cidr', address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' }
  }
  if (isIP(text) !== 0) return { kind: 'ip', ip: text }
  return HOSTNAME.test(text) && !/^[\d.]+$/.test(text) ? { kind: 'name', name: text.toLowerCase() } : undefined
}

/** Checks a parsed links document; throws LinksFileError naming the first bad key. */
export function parseLinks(doc: unknown): LinksSpec {
  const obj = record(doc, '(file)', 'a JSON object')
  for (const key of Object.keys(obj)) {
    if (!KEYS.has(key)) throw new LinksFileError(key, `unknown key; expected one of ${[...KEYS].join(', ')}`)
  }
  const regions = list(obj.regions, 'regions', 'a non-empty list of distinct region names')
  if (regions.length === 0 || regions.length > REGIONS_MAX) {
    throw new LinksFileError('regions', `expected 1-${REGIONS_MAX} region names`)
  }
  regions.forEach((r, i) => {
    if (typeof r !== 'string' || r.length === 0 || r.length > 64) {
      throw new LinksFileError(`regions[${i}]`, 'expected a region name of 1-64 characters')
    }
    if (regions.indexOf(r) !== i) throw new LinksFileError(`regions[${i}]`, `"${r}" is listed twice`)
  })
  const regionNames = regions as string[]
  const latency = list(obj.latencyMs, 'latencyMs', 'a square matrix of milliseconds, one row per region')
  if (latency.length !== regionNames.length) {
    throw new LinksFileError('latencyMs', `expected ${regionNames.length} rows (one per region), got ${latency.length}`)
  }
  const latencyMs = latency.map((row, i) => {
    const cells = list(row, `latencyMs[${i}]`, `a row of ${regionNames.length} milliseconds`)
    if (cells.length !== regionNames.length) {
      throw new LinksFileError(`latencyMs[${i}]`, `expected ${regionNames.length} entries, got ${cells.length}`)
    }
    return cells.map((ms, j) => delayMs(ms, `latencyMs[${i}][${j}]`))
  })
  const hostsObj = record(obj.hosts, 'hosts', 'an object of host (IP, CIDR or DNS name) → region')
  const hosts = new Map<string, string>()
  for (const [key, region] of Object.entries(hostsObj)) {
    hostKeyOf(key, 'hosts')
    if (typeof region !== 'string' || !regionNames.includes(region)) {
      throw new LinksFileError(`hosts["${key}"]`, `expected one of the regions (${regionNames.join(', ')})`)
    }
    hosts.set(key, region)
  }
  if (hosts.size > HOSTS_MAX) throw new LinksFileError('hosts', `at most ${HOSTS_MAX} entries`)
  if (typeof obj.self !== 'string' || parseHostKey(obj.self)?.kind === 'cidr' || !parseHostKey(obj.self)) {
    throw new LinksFileError('self', "expected this node's IP address or host name")
  }
  const jitterMs = obj.jitterMs === undefined ? 0 : delayMs(obj.jitterMs, 'jitterMs')
  const bandwidthMbit = new Map<string, number>()
  if (obj.bandwidthMbit !== undefined) {
    const bw = record(obj.bandwidthMbit, 'bandwidthMbit', 'an object of host (IP, CIDR or DNS name) → Mbit/s')
    for (const [key, mbit] of Object.entries(bw)) {
      hostKeyOf(key, 'bandwidthMbit')
      bandwidthMbit.set(key, mbitOf(mbit, `bandwidthMbit["${key}"]`))
    }
  }
  const defaultBandwidthMbit =
    obj.defaultBandwidthMbit === undefined || obj.defaultBandwidthMbit === null
      ? undefined
      : mbitOf(obj.defaultBandwidthMbit, 'defaultBandwidthMbit')
  const partition =
    obj.partition === undefined || obj.partition === null ? null : parsePartition(obj.partition, 'partition')
  return {
    self: obj.self,
    hosts,
    regions: regionNames,
    latencyMs,
    jitterMs,
    bandwidthMbit,
    defaultBandwidthMbit,
    partition,
  }
}

/** Partition groups: lists of IP addresses, each IP in one group at most. Throws LinksFileError naming `key`. */
export function parsePartition(value: unknown, key: string): string[][] {
  const groups = list(value, key, 'a list of groups, each a list of IP addresses')
  const seen = new Set<string>()
  return groups.map((group, i) =>
    list(group, `${key}[${i}]`, 'a list of IP addresses').map((ip, j) => {
      if (typeof ip !== 'string' || isIP(ip) === 0)
        throw new LinksFileError(`${key}[${i}][${j}]`, 'expected an IP address')
      if (seen.has(ip)) throw new LinksFileError(`${key}[${i}][${j}]`, `${ip} is in more than one group`)
      seen.add(ip)
      return ip
    }),
  )
}

/** Reads and checks a links file. */
export async function readLinksFile(path: string): Promise<LinksSpec> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new LinksFileError('(file)', `cannot read ${path}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new LinksFileError('(file)', `${path} is not JSON: ${(err as Error).message}`)
  }
  return parseLinks(doc)
}

function record(value: unknown, key: string, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LinksFileError(key, `expected ${expected}`)
  }
  return value as Record<string, unknown>
}

function list(value: unknown, key: string, expected: string): unknown[] {
  if (!Array.isArray(value)) throw new LinksFileError(key, `expected ${expected}`)
  return value
}

function delayMs(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > DELAY_MS_MAX) {
    throw new LinksFileError(key, `expected milliseconds, a number 0-${DELAY_MS_MAX}`)
  }
  return value
}

function mbitOf(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1_000_000) {
    throw new LinksFileError(key, 'expected Mbit/s, a number above 0 and at most 1000000')
  }
  return value
}

function hostKeyOf(key: string, section: string): HostKey {
  const parsed = parseHostKey(key)
  if (parsed === undefined)
    throw new LinksFileError(`${section}["${key}"]`, 'expected an IP, a CIDR subnet or a DNS name')
  return parsed
}
