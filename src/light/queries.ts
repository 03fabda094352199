/**
 * What a light node asks full peers and how it decides: an account is proven
 * at a header of its own main chain by two peers at least, from different
 * network groups, whose verified answers must agree (a disagreement is
 * returned for the caller to report, never resolved here); a tx's inclusion
 * needs one verified proof in a block of our main chain (nobody can forge
 * one, so several peers are asked only against withholding).
 *
 * Peers are taken one per network group, best score first. The `local`
 * group (loopback, private addresses: a devnet or a LAN) has no groups to
 * tell apart, so each local peer counts as its own group there.
 *
 * The header is our tip, or up to `depthMax` below it when too few peers can
 * prove at the tip yet (a block they have not received). A peer whose answer
 * does not verify has been charged by the client; the next peer is asked.
 */
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { PeerIdString } from '../net/network.js'
import { LOCAL_GROUP } from '../peers/net-group.js'
import { type LightClient, type LightFailure, type ProvenAccount, sameAccount } from './client.js'
import type { LightEntry, LightHeaderStore } from './header-store.js'

/** A full peer a light node may ask. */
export interface LightPeer {
  id: PeerIdString
  /** Its network group (PeerInfo.group: from the connection's address, never from the peer). */
  group: string
  score: number
}

export interface LightQueriesDeps {
  store: Pick<LightHeaderStore, 'tip' | 'mainAt' | 'onMain' | 'get'>
  client: Pick<LightClient, 'account' | 'tx'>
  /** Full peers with a completed handshake. */
  peers(): LightPeer[]
  /** A peer proved a tx in a block we do not hold yet: follow its headers. */
  behind?(peer: PeerIdString): void
}

export interface LightQueriesOptions {
  /** Peers asked at once in the first round (more are asked only if too few answers verify). */
  askPeers: number
  /** How far below the tip an account may be proven when the tip is not provable yet. */
  depthMax: number
}

export const DEFAULT_LIGHT_QUERIES_OPTIONS: LightQueriesOptions = { askPeers: 3, depthMax: 3 }

export type AccountResult =
  /** Two peers or more, from different groups, proved the same account at `at`. */
  | { kind: 'verified'; account: Account | undefined; at: LightEntry; peers: PeerIdString[]; failures: LightFailure[] }
  /** Verified answers that differ: report it. */
  | {
      kind: 'disagreement'
      at: LightEntry
      answers: Array<{ peer: PeerIdString; value: ProvenAccount }>
      failures: LightFailure[]
    }
  /** Fewer than two verified answers at every header tried. */
  | { kind: 'insufficient'; reason: string; failures: LightFailure[] }

export type TxResult =
  | { kind: 'included'; tx: Tx; at: LightEntry; index: number; peer: PeerIdString; failures: LightFailure[] }
  /** Verified proofs in two different blocks of our main chain: report it. */
  | { kind: 'disagreement'; answers: Array<{ peer: PeerIdString; blockId: string }>; failures: LightFailure[] }
  /** A proof in a block past our tip (or off our chain): not yet ours to believe. */
  | { kind: 'unproven'; failures: LightFailure[] }
  | { kind: 'not-found'; failures: LightFailure[] }

export class LightQueries {
  private readonly options: LightQueriesOptions

  constructor(
    private readonly deps: LightQueriesDeps,
    options: Partial<LightQueriesOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIGHT_QUERIES_OPTIONS, ...options }
  }

  /** One peer per network group (each local peer its own), best score first, then by id. */
  candidates(): LightPeer[] {
    const sorted = [...this.deps.peers()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const groups = new Set<string>()
    const out: LightPeer[] = []
    for (const peer of sorted) {
      if (peer.group !== LOCAL_GROUP) {
        if (groups.has(peer.group)) continue
        groups.add(peer.group)
      }
      out.push(peer)
    }
    return out
  }

  /** `address`'s account, proven by two peers of different groups at our tip or a little below it. */
  async account(address: Uint8Array, signal?: AbortSignal): Promise<AccountResult> {
    const failures: LightFailure[] = []
    const peers = this.candidates()
    if (peers.length < 2) {
      return {
        kind: 'insufficient',
        reason: `${peers.length} full peer${peers.length === 1 ? '' : 's'} of distinct network groups; 2 needed`,
        failures,
      }
    }
    const tip = this.deps.store.tip
    /** Peers that answered falsely (charged): not asked again in this call. */
    const liars = new Set<PeerIdString>()
    for (let depth = 0; depth <= this.options.depthMax && depth <= tip.height; depth++) {
      const at = this.deps.store.mainAt(tip.height - depth)
      if (!at) break
      const answers: Array<{ peer: PeerIdString; value: ProvenAccount }> = []
      const queue = peers.filter((p) => !liars.has(p.id))
      /** A peer lacked this header (a block it has not received yet), or the exchange itself failed. */
      let worthRetry = false
      let round = Math.min(this.options.askPeers, queue.length)
      while (answers.length < 2 && queue.length > 0) {
        const batch = queue.splice(0, round)
        const results = await Promise.all(batch.map((p) => this.deps.client.account(p.id, at.header, address, signal)))
        for (const r of results) {
          if (r.ok) answers.push({ peer: r.peer, value: r.value })
          else {
            failures.push(r)
            if (r.kind === 'invalid') liars.add(r.peer)
            if (r.kind === 'unavailable' || r.kind === 'transport') worthRetry = true
          }
        }
        round = 2 - answers.length
      }
      if (answers.length >= 2) {
        const first = answers[0] as { value: ProvenAccount }
        if (answers.some((a) => !sameAccount(first.value, a.value)))
          return { kind: 'disagreement', at, answers, failures }
        return { kind: 'verified', account: first.value.account, at, peers: answers.map((a) => a.peer), failures }
      }
      // One header down only helps when a peer lacked this one, or its answer was lost on the way
      // (a reset stream, a timeout): not when a peer lied, since it is not asked again anyway.
      if (!worthRetry) break
    }
    return { kind: 'insufficient', reason: 'fewer than 2 peers proved the account near our tip', failures }
  }

  /** The inclusion of the tx with `txHash` in a block of our main chain. */
  async tx(txHash: Uint8Array, signal?: AbortSignal): Promise<TxResult> {
    const { store, client } = this.deps
    const trusted = (blockId: string) => (store.onMain(blockId) ? store.get(blockId)?.header : undefined)
    const failures: LightFailure[] = []
    const queue = this.candidates()
    const included: Array<{ peer: PeerIdString; tx: Tx; blockId: string; index: number }> = []
    let behind = false
    while (included.length === 0 && queue.length > 0) {
      const batch = queue.splice(0, this.options.askPeers)
      const results = await Promise.all(batch.map((p) => client.tx(p.id, txHash, trusted, signal)))
      for (const r of results) {
        if (r.ok) included.push({ peer: r.peer, tx: r.value.tx, blockId: r.value.header.id, index: r.value.index })
        else {
          failures.push(r)
          if (r.kind === 'unknown-block') {
            behind = true
            this.deps.behind?.(r.peer)
          }
        }
      }
    }
    const first = included[0]
    if (!first) return behind ? { kind: 'unproven', failures } : { kind: 'not-found', failures }
    if (included.some((i) => i.blockId !== first.blockId)) {
      return { kind: 'disagreement', answers: included.map((i) => ({ peer: i.peer, blockId: i.blockId })), failures }
    }
    const at = store.get(first.blockId) as LightEntry
    return { kind: 'included', tx: first.tx, at, index: first.index, peer: first.peer, failures }
  }
}
