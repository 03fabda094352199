/**
 * What each connected peer has done for us, as the node reports it
 * (Network.notePeerActivity): when it completed the status exchange, and
 * when it last relayed a tx or block we accepted. Inbound eviction protects
 * the peers that did useful work recently (Bitcoin Core's nLastTxTime and
 * nLastBlockTime), and the status deadline cuts those that never finished
 * the handshake. Entries live while the peer is connected, so the map is
 * bounded by the connection caps.
 */
import type { PeerActivity } from './network.js'

export interface PeerActivityRecord {
  statusAtMs?: number
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
