/**
 * A table from host keys (IP, CIDR subnet, DNS name: link-file.ts) to values,
 * asked by IP. An exact IP wins, then a DNS name that resolves to the IP,
 * then the longest matching subnet. DNS names are resolved by `refresh()`
 * (Kubernetes StatefulSet pods keep their names, not their IPs); a name that
 * does not resolve keeps its last addresses.
 */
import { BlockList } from 'node:net'
import { parseHostKey } from './link-file.js'

/** A DNS lookup: every address of `name` (node:dns's lookup with `all: true`). */
export type ResolveHost = (name: string) => Promise<string[]>

interface Subnet<V> {
  list: BlockList
  family: 'ipv4' | 'ipv6'
  prefix: number
  value: V
}

export class HostTable<V> {
  private readonly ips = new Map<string, V>()
  private readonly subnets: Subnet<V>[] = []
  private readonly names = new Map<string, V>()
  private byResolvedIp = new Map<string, V>()
  private resolved = new Map<string, string[]>()

  constructor(entries: ReadonlyMap<string, V>) {
    for (const [key, value] of entries) {
      const host = parseHostKey(key)
      if (host === undefined) throw new RangeError(`not a host key: ${key}`)
      if (host.kind === 'ip') this.ips.set(host.ip, value)
      else if (host.kind === 'name') this.names.set(host.name, value)
      else {
        const list = new BlockList()
        list.addSubnet(host.address, host.prefix, host.family)
        this.subnets.push({ list, family: host.family, prefix: host.prefix, value })
      }
    }
    this.subnets.sort((a, b) => b.prefix - a.prefix)
  }

  /** The DNS names to resolve. */
  get hostNames(): string[] {
    return [...this.names.keys()]
  }

  /** The value for `ip`, if any key covers it. */
  get(ip: string): V | undefined {
    const exact = this.ips.get(ip) ?? this.byResolvedIp.get(ip)
    if (exact !== undefined) return exact
    const family = ip.includes(':') ? 'ipv6' : 'ipv4'
    for (const subnet of this.subnets)
      if (subnet.family === family && subnet.list.check(ip, family)) return subnet.value
    return undefined
  }

  /** The value for a key given literally (self as a DNS name), else by IP. */
  lookup(hostOrIp: string): V | undefined {
    return this.names.get(hostOrIp.toLowerCase()) ?? this.get(hostOrIp)
  }

  /** Resolves every DNS name again; returns the names that failed (they keep their old addresses). */
  async refresh(resolve: ResolveHost): Promise<string[]> {
    const failed: string[] = []
    const next = new Map(this.resolved)
    await Promise.all(
      this.hostNames.map(async (name) => {
        try {
          next.set(name, await resolve(name))
        } catch {
          failed.push(name)
        }
      }),
    )
    const byIp = new Map<string, V>()
    for (const [name, addrs] of next) {
      const value = this.names.get(name) as V
      for (const ip of addrs) if (!byIp.has(ip)) byIp.set(ip, value)
    }
    this.resolved = next
    this.byResolvedIp = byIp
    return failed
  }
}
