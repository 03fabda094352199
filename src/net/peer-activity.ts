/**
 * What each connected peer has done for us, as the node reports it
 * (Network.notePeerActivity): when it completed the status exchange, and
 * when it last relayed a tx or block we accepted. Inbound eviction protects
 * the peers that did useful work recently (Bitcoin Core's nLastTxTime and
 * nLastBlockTime), and the status deadline cuts those that never finished
 * the handshake. Entries live while the peer is connected, so the map is
 * bounded by the connection caps; its lowest ping is kept here too.
 */
import type { PeerActivity } from './network.js'

export interface PeerActivityRecord {
  statusAtMs?: number
  /** The lowest round-trip time seen (libp2p's connection monitor measures it every 10 s). */
  minPingMs?: number
  lastTxMs?: number
  lastBlockMs?: number
}

export class PeerActivityLog {
  private readonly records = new Map<string, PeerActivityRecord>()

  constructor(private readonly nowMs: () => number) {}

  note(peer: string, kind: PeerActivity): void {
    const record = this.records.get(peer) ?? {}
    const now = this.nowMs()
    if (kind === 'status') record.statusAtMs ??= now
    else if (kind === 'tx') record.lastTxMs = now
    else record.lastBlockMs = now
    this.records.set(peer, record)
  }

  notePing(peer: string, rttMs: number): void {
    const record = this.records.get(peer) ?? {}
    if (record.minPingMs === undefined || rttMs < record.minPingMs) record.minPingMs = rttMs
    this.records.set(peer, record)
  }

  get(peer: string): PeerActivityRecord {
    return this.records.get(peer) ?? {}
  }

  hasStatus(peer: string): boolean {
    return this.records.get(peer)?.statusAtMs !== undefined
  }

  /** The peer's last connection closed. */
  forget(peer: string): void {
    this.records.delete(peer)
  }

  get size(): number {
    return this.records.size
  }
}
