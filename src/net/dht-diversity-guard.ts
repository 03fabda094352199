/**
 * Keeps kad-dht's routing table diverse by network group (the rules are
 * src/peers/dht-diversity.ts: per group, 2 peers per common prefix length
 * with our kad id, 3 per table). kad-dht 16 has no routing-table filter
 * (js-libp2p-kad-dht#235), so nothing can refuse a peer before it joins:
 * the guard listens for `peer:add`, takes a refused peer out again with
 * `remove`, and frees a member's place on `peer:remove`. A refused peer sits
 * in the table for the moment between the two; kad-dht may add it again
 * later (a new connection, a DHT message from it), and it is refused again.
 *
 * A peer is grouped by the remote address of its open connection (kad-dht
 * pings a peer before adding it, so one exists), never by the addresses it
 * announces; without one its group is unknown and it is refused.
 */
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { DhtDiversity } from '../peers/dht-diversity.js'
import { netGroup } from '../peers/net-group.js'
import type { GroupPolicy } from '../peers/types.js'
import type { Host } from './host.js'
import { connectedIp } from './host-views.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'

type RoutingTableEvent = 'peer:add' | 'peer:remove'

/** The part of kad-dht's RoutingTable class the guard uses (reached as `SingleKadDHT['routingTable']`, checked by guardableTable). */
export interface DhtRoutingTable {
  readonly size: number
  addEventListener(type: RoutingTableEvent, listener: (evt: CustomEvent<PeerId>) => void): void
  removeEventListener(type: RoutingTableEvent, listener: (evt: CustomEvent<PeerId>) => void): void
  remove(peer: PeerId): Promise<void>
  closestPeers(kadId: Uint8Array, options?: { count?: number }): PeerId[]
}

export interface DhtDiversityGuardDeps {
  table: DhtRoutingTable
  /** Our peer id: common prefixes are measured from its kad id. */
  self: PeerId
  /** The network group of the connection `peer` is on; undefined when there is none to read. */
  groupOf(peer: PeerId): string | undefined
  log: NetworkLog
}

/** A peer's kad id, as kad-dht computes it (`convertPeerId`): SHA-256 of the peer id's multihash bytes. */
export function kadIdOf(peer: PeerId): Uint8Array {
  return createHash('sha256').update(peer.toMultihash().bytes).digest()
}

export class DhtDiversityGuard {
  private readonly diversity: DhtDiversity
  private readonly selfKadId: Uint8Array

  constructor(private readonly deps: DhtDiversityGuardDeps) {
    this.selfKadId = kadIdOf(deps.self)
    this.diversity = new DhtDiversity(this.selfKadId)
  }

  /** Listens to the table (start it after the host, whose start starts the table). */
  start(): void {
    const { table } = this.deps
    table.addEventListener('peer:add', this.onAdd)
    table.addEventListener('peer:remove', this.onRemove)
    // whoever joined before we listened is judged now, nearest first, as if they had just joined
    for (const peer of table.closestPeers(this.selfKadId, { count: table.size })) this.judge(peer)
  }

  stop(): void {
    this.deps.table.removeEventListener('peer:add', this.onAdd)
    this.deps.table.removeEventListener('peer:remove', this.onRemove)
    // kad-dht empties its table when it stops, without a peer:remove per peer
    this.diversity.clear()
  }

  private readonly onAdd = (evt: CustomEvent<PeerId>): void => this.judge(evt.detail)

  private readonly onRemove = (evt: CustomEvent<PeerId>): void => this.diversity.remove(evt.detail.toString())

  private judge(peer: PeerId): void {
    const id = peer.toString()
    const group = this.deps.groupOf(peer)
    const admission = this.diversity.admit(id, kadIdOf(peer), group)
    if (admission.admitted) return
    this.deps.log('net: dht table refused a peer', { peer: id, group: group ?? null, why: admission.why })
    this.deps.table.remove(peer).catch((err: unknown) => {
      this.deps.log('net: could not remove a peer from the dht table', { peer: id, err: describe(err) })
    })
  }
}

/**
 * kad-dht's routing table if it has what the guard uses. Its public type
 * (`SingleKadDHT['routingTable']`) declares only `size`; events, `remove`
 * and `closestPeers` are the class's, so they are checked at run time.
 */
export function guardableTable(dht: Host['services']['dht']): DhtRoutingTable | undefined {
  const table: unknown = (dht as Partial<SingleKadDHT>).routingTable
  if (typeof table !== 'object' || table === null) return undefined
  const fields = table as Record<string, unknown>
  const methods = ['addEventListener', 'removeEventListener', 'remove', 'closestPeers']
  const usable = typeof fields.size === 'number' && methods.every((name) => typeof fields[name] === 'function')
  return usable ? (table as DhtRoutingTable) : undefined
}

/**
 * The guard over `host`'s DHT, grouping peers by `policy` as the rest of the
 * network layer does. Undefined (and logged) if kad-dht's routing table no
 * longer has what the guard uses, so an upgrade shows up in the log and the
 * tests instead of silently dropping the limits.
 */
export function hostDhtDiversityGuard(host: Host, policy: GroupPolicy, log: NetworkLog): DhtDiversityGuard | undefined {
  const table = guardableTable(host.services.dht)
  if (table === undefined) {
    log('net: kad-dht routing table cannot be guarded; DHT diversity is not enforced')
    return undefined
  }
  return new DhtDiversityGuard({
    table,
    self: host.peerId,
    groupOf: (peer) => {
      const ip = connectedIp(host, peer)
      return ip === undefined ? undefined : netGroup(ip, policy)
    },
    log,
  })
}
