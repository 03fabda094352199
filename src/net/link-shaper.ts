/**
 * The network lab's link shaper (lab only: loaded by `--lab-links FILE`
 * together with `--lab`; production nodes never build one). It knows each
 * host's region from the links file (link-file.ts), delays and paces every
 * outgoing byte by the destination's region (link-schedule.ts,
 * link-shaper-conn.ts) through a transport wrapper around TCP
 * (link-shaper-transport.ts), and holds the lab's current partition, which
 * the connection gater and `lab_partition` enforce.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { MultiaddrConnection } from '@libp2p/interface'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'
import { ipOf } from './ban-target.js'
import { type LinksSpec, parsePartition, readLinksFile } from './link-file.js'
import { HostTable, type ResolveHost } from './link-hosts.js'
import { type LinkParams, LinkQueue, Uplink } from './link-schedule.js'
import { shapeConnection } from './link-shaper-conn.js'
import type { NetworkLog } from './options.js'

/** Bytes queued on one connection at most; beyond, the connection is aborted. */
export const SHAPED_QUEUE_BYTES_MAX = 64 * 1024 * 1024
/** DNS host names in the links file are resolved again this often. */
export const LINKS_DNS_REFRESH_MS = 30_000

export interface LinkShaperDeps {
  /** A monotonic clock (performance.now in production). */
  nowMs(): number
  timers: Timers
  rng: Rng
  resolve?: ResolveHost
  log: NetworkLog
}

/** A connection across the lab's partition: refused at dial and on arrival. */
export class LabPartitionError extends Error {
  override readonly name = 'LabPartitionError'
}

/** Every address of a DNS name. */
export const resolveAllAddresses: ResolveHost = async (name) =>
  (await lookup(name, { all: true })).map((a) => a.address)

export class LinkShaper {
  readonly uplink: Uplink
  private readonly regions: HostTable<string>
  private readonly selfTable: HostTable<true>
  private readonly selfRegionIndex: number | undefined
  private groups: string[][] | null
  private groupOfIp = new Map<string, number>()
  private refreshTimer: unknown
  private stopped = false
  private readonly resolve: ResolveHost
  /** Every raw connection alive, shaped or not: a new partition cuts those across it. */
  private readonly connections = new Set<MultiaddrConnection>()

  constructor(
    readonly spec: LinksSpec,
    private readonly deps: LinkShaperDeps,
  ) {
    this.regions = new HostTable(spec.hosts)
    this.selfTable = new HostTable(new Map([[spec.self, true as const]]))
    const selfRegion = this.regions.lookup(spec.self)
    this.selfRegionIndex = selfRegion === undefined ? undefined : spec.regions.indexOf(selfRegion)
    const bandwidth = new HostTable(spec.bandwidthMbit).lookup(spec.self) ?? spec.defaultBandwidthMbit
    this.uplink = new Uplink(bandwidth)
    this.groups = null
    this.setPartition(spec.partition)
    this.resolve = deps.resolve ?? resolveAllAddresses
  }

  /** Reads the links file and resolves its DNS names once. */
  static async load(path: string, deps: LinkShaperDeps): Promise<LinkShaper> {
    const shaper = new LinkShaper(await readLinksFile(path), deps)
    await shaper.refreshNames()
    return shaper
  }

  /** Keeps re-resolving DNS names every LINKS_DNS_REFRESH_MS until stop. */
  start(): void {
    this.stopped = false
    if (this.regions.hostNames.length === 0 && this.selfTable.hostNames.length === 0) return
    const tick = (): void => {
      this.refreshTimer = undefined
      if (this.stopped) return
      void this.refreshNames().finally(() => {
        if (!this.stopped) this.refreshTimer = this.deps.timers.setTimeout(tick, LINKS_DNS_REFRESH_MS)
      })
    }
    this.refreshTimer = this.deps.timers.setTimeout(tick, LINKS_DNS_REFRESH_MS)
  }

  stop(): void {
    this.stopped = true
    if (this.refreshTimer !== undefined) this.deps.timers.clearTimeout(this.refreshTimer)
    this.refreshTimer = undefined
  }

  async refreshNames(): Promise<void> {
    const failed = [...(await this.regions.refresh(this.resolve)), ...(await this.selfTable.refresh(this.resolve))]
    if (failed.length > 0) this.deps.log('lab links: host names did not resolve', { names: failed })
  }

  /** The region a remote IP is in, if the links file places it. */
  regionOf(ip: string): string | undefined {
    return this.regions.get(ip)
  }

  /** The link from this node to `ip`; undefined (no delay) when either end has no region. */
  linkTo(ip: string): LinkParams | undefined {
    const src = this.selfRegionIndex
    const region = this.regions.get(ip)
    if (src === undefined || region === undefined) return undefined
    const dst = this.spec.regions.indexOf(region)
    return { latencyMs: this.spec.latencyMs[src]?.[dst] ?? 0, jitterMs: this.spec.jitterMs }
  }

  /** Throws LabPartitionError when the partition cuts this node off from `ip`. */
  checkReachable(ip: string | undefined): void {
    if (ip !== undefined && this.isPartitioned(ip)) {
      throw new LabPartitionError(`lab partition: ${ip} is in another group`)
    }
  }

  /**
   * Shapes `conn`'s outgoing bytes by its remote IP's region, in place; a
   * remote without a region is left alone. Throws LabPartitionError for a
   * connection across the partition.
   */
  shape(conn: MultiaddrConnection): MultiaddrConnection {
    const ip = ipOf(conn.remoteAddr)?.address
    this.checkReachable(ip)
    this.connections.add(conn)
    conn.addEventListener('close', () => this.connections.delete(conn), { once: true })
    const link = ip === undefined ? undefined : this.linkTo(ip)
    if (link === undefined) return conn
    return shapeConnection(conn, {
      queue: new LinkQueue(this.uplink, link, this.deps.rng, SHAPED_QUEUE_BYTES_MAX),
      nowMs: this.deps.nowMs,
      timers: this.deps.timers,
      log: this.deps.log,
    })
  }

  get partition(): string[][] | null {
    return this.groups === null ? null : this.groups.map((g) => [...g])
  }

  /**
   * Sets (null: heals) the partition: IPs in different groups cannot reach
   * each other, an unlisted IP reaches everyone. Connections now across it
   * are aborted; returns how many. Throws LinksFileError (key `groups`) for
   * bad groups.
   */
  setPartition(groups: readonly (readonly string[])[] | null): { closed: number } {
    const checked = groups === null ? null : parsePartition(groups, 'groups')
    const byIp = new Map<string, number>()
    checked?.forEach((group, i) => {
      for (const ip of group) byIp.set(canonicalIp(ip), i)
    })
    this.groups = checked
    this.groupOfIp = byIp
    let closed = 0
    for (const conn of [...this.connections]) {
      const ip = ipOf(conn.remoteAddr)?.address
      if (ip === undefined || !this.isPartitioned(ip)) continue
      this.connections.delete(conn)
      conn.abort(new LabPartitionError(`lab partition: ${ip} is in another group`))
      closed++
    }
    if (checked !== null || closed > 0) this.deps.log('lab links: partition set', { groups: checked, closed })
    return { closed }
  }

  /** Whether the partition cuts this node off from `ip`. */
  isPartitioned(ip: string): boolean {
    if (this.groups === null) return false
    const theirs = this.groupOfIp.get(canonicalIp(ip))
    if (theirs === undefined) return false
    const ours = this.selfGroup()
    return ours !== undefined && ours !== theirs
  }

  private selfGroup(): number | undefined {
    const self = this.spec.self
    if (isIP(self) !== 0) return this.groupOfIp.get(canonicalIp(self))
    for (const [ip, group] of this.groupOfIp) if (this.selfTable.get(ip) === true) return group
    return undefined
  }
}

/** IPv4-mapped IPv6 (`::ffff:127.0.1.1`) as its IPv4 address, so both spellings meet in one group. */
function canonicalIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  return mapped?.[1] ?? ip.toLowerCase()
}
