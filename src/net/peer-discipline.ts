/**
 * What happens to a peer that misbehaves: the application score it is
 * charged (scores.ts), the in-memory discouragement at the threshold
 * (discouraged.ts, also by IP), the operator's permanent bans by peer id or
 * subnet (bans.ts), and in each case a hang-up and the peer's addresses
 * forgotten by the address manager, so we never dial it again.
 */
import type { Connection } from '@libp2p/interface'
import { ipOf } from './ban-target.js'
import type { BanList } from './bans.js'
import type { DiscouragementFilter } from './discouraged.js'
import type { Host } from './host.js'
import type { PeerCut } from './network.js'
import type { NetworkLog } from './options.js'
import { toPeerId } from './peer-ids.js'
import { describe } from './request.js'
import { isAtBanThreshold, type PeerScores } from './scores.js'

export interface PeerDisciplineDeps {
  host: Pick<Host, 'getConnections' | 'hangUp'>
  banList: BanList
  discouraged: DiscouragementFilter
  scores: PeerScores
  /** Forgets every address of the peer (the address manager). */
  forget(peer: string): void
  /** Every peer shares 127.0.0.1 (a local cluster outside the lab): discourage by id only. */
  sharedIp: boolean
  log: NetworkLog
  /** Told of every peer cut here (the trace's `cut` lines), before its hang-up. */
  onCut?(cut: PeerCut): void
}

export class PeerDiscipline {
  constructor(private readonly deps: PeerDisciplineDeps) {}

  /** Banned or discouraged. */
  isRefused(peer: string): boolean {
    return this.deps.banList.isBanned(peer) || this.deps.discouraged.has(peer)
  }

  /** In a banned subnet, or a discouraged IP. */
  isAddressRefused(address: string, family: 'ipv4' | 'ipv6'): boolean {
    return this.deps.banList.isAddressBanned(address, family) || this.deps.discouraged.has(address)
  }

  async ban(target: string, reason: string): Promise<void> {
    const { banList, host } = this.deps
    const banned = await banList.ban(target, reason)
    this.deps.log('net: banned', { target, reason })
    const matches =
      banned.kind === 'peer'
        ? (conn: Connection) => conn.remotePeer.toString() === banned.peer
        : (conn: Connection) => {
            const ip = ipOf(conn.remoteAddr)
            return ip !== undefined && banList.isAddressBanned(ip.address, ip.family)
          }
    const peers = new Set(
      host
        .getConnections()
        .filter(matches)
        .map((c) => c.remotePeer.toString()),
    )
    if (banned.kind === 'peer') peers.add(banned.peer)
    for (const peer of peers) this.deps.forget(peer)
    await Promise.all([...peers].map((peer) => this.disconnect(peer, `banned: ${reason}`)))
  }

  async unban(target: string): Promise<void> {
    await this.deps.banList.unban(target)
    this.deps.discouraged.remove(target)
    this.deps.scores.reset(target)
    this.deps.log('net: unbanned', { target })
  }

  bans(): Array<{ peer: string; reason: string }> {
    return this.deps.banList.list().map(({ target, reason }) => ({ peer: target, reason }))
  }

  discourage(peer: string, reason: string): void {
    const peerId = toPeerId(peer)
    this.deps.discouraged.add(peer, reason)
    if (!this.deps.sharedIp) {
      for (const conn of this.deps.host.getConnections(peerId)) {
        const ip = ipOf(conn.remoteAddr)
        if (ip !== undefined) this.deps.discouraged.add(ip.address, `${peer}: ${reason}`)
      }
    }
    this.deps.forget(peer)
    this.deps.log('net: discouraged peer; disconnecting', { peer, reason })
    void this.disconnect(peer, `discouraged: ${reason}`)
  }

  reportPeer(peer: string, penalty: number, reason: string): void {
    toPeerId(peer)
    const score = this.deps.scores.charge(peer, penalty)
    this.deps.log('net: peer charged', { peer, penalty, reason, score })
    if (!isAtBanThreshold(score) || this.deps.discouraged.has(peer)) return
    // it starts again from 0 when the discouragement ends
    this.deps.scores.reset(peer)
    this.discourage(peer, `score ${score}: ${reason}`)
  }

  /** Hangs up on a peer for `why` (a cut: the trace hears of it). */
  async disconnect(peer: string, why: string): Promise<void> {
    if (this.deps.onCut !== undefined) {
      const [conn] = this.deps.host.getConnections(toPeerId(peer))
      const ip = conn === undefined ? undefined : ipOf(conn.remoteAddr)?.address
      this.deps.onCut(ip === undefined ? { peer, reason: why } : { peer, ip, reason: why })
    }
    await this.deps.host.hangUp(toPeerId(peer)).catch((err: unknown) => {
      this.deps.log('net: hang-up failed', { peer, why, err: describe(err) })
    })
  }
}
