/**
 * Feeds a FinalityRecord from a proof-of-stake node's own events: its head
 * changes (under finality every block on the main chain is final, so each
 * connected block is checked against the first one seen final at its height)
 * and the proposals it publishes. Read-only: it decides nothing.
 */
import type { HeadChange } from '../chain/chain.js'
import type { HeaderEntry } from '../chain/header-index.js'
import { decodeCommit } from '../consensus/bft/commit.js'
import { decodeProposal } from '../consensus/bft/proposal.js'
import { decodeProposalMessage } from '../consensus/bft/proposal-message.js'
import type { PosEngine } from '../consensus/pos/engine.js'
import type { PeerchainNode } from '../node/node.js'
import { proposalTopic } from '../relay/topics.js'
import type { FinalityRecord } from './finality.js'
import type { SimNetwork } from './network.js'

export interface FinalityWatchDeps {
  record: FinalityRecord
  nowMs(): number
  trace(event: string, fields: Record<string, string | number | boolean>): void
}

/** Every block a head change made final at `node`, lowest first (walked through the index, so no window bounds it). */
export function onFinalHeadChange(deps: FinalityWatchDeps, node: number, change: HeadChange): void {
  const { record } = deps
  if (change.disconnectedCount > 0) record.onReverted(node, change.disconnectedCount, change.head.height)
  const joined: HeaderEntry[] = []
  let entry: HeaderEntry | undefined = change.head
  for (let i = 0; i < change.connectedCount && entry; i++, entry = entry.parent) joined.push(entry)
  const atMs = deps.nowMs()
  for (const final of joined.reverse()) record.onFinal(node, final.height, final.id, atMs)
}

/** Hears the proposals `node` publishes: each height's first proposal starts its commit latency. */
export function watchProposals(
  deps: FinalityWatchDeps,
  node: number,
  network: SimNetwork,
  chain: PeerchainNode['ledger']['chain'],
): void {
  const topic = proposalTopic(chain.chainId)
  const { blockBytesMax } = chain.genesis.limits
  network.onPublish((published, data) => {
    if (published !== topic) return
    const proposal = decodeProposal(decodeProposalMessage(data, blockBytesMax).proposal)
    const height = Number(proposal.height)
    deps.trace('proposal', { node, height, round: proposal.round })
    deps.record.onProposal(height, deps.nowMs())
  })
}

/** The round each height of `node`'s chain was decided in, read from the commits stored with its blocks. */
export async function readDecidedRounds(record: FinalityRecord, node: PeerchainNode, engine: PosEngine): Promise<void> {
  const { chain } = node.ledger
  for (let height = 1; height <= chain.head.height; height++) {
    const entry = chain.index.mainAt(height)
    const bytes = entry && (await chain.getCommit(entry.id))
    if (!bytes) continue
    record.decidedRound.set(height, decodeCommit(bytes, engine.schedule.setAt(height).size).round)
  }
}
