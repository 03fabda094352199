/**
 * The proof-of-stake metrics over a real PoS chain in memory: rounds per
 * height from each commit's round, commit latency between two heights stored
 * live (not synced), missed votes per validator of the next set from the
 * stored commits, and the finality lag. A proof-of-work node has none of them.
 */
import { describe, expect, it } from 'vitest'
import type { BlockSource } from '../../../src/chain/head-change.js'
import { formatAddress } from '../../../src/ledger/address.js'
import { createNodeMetrics, observePos } from '../../../src/node/metrics.js'
import { missedWindowOf, ValidatorStats } from '../../../src/node/validator-stats.js'
import { commitOf, openPosChain, POS_VALIDATORS, type PosTestChain, proposeBlock } from '../../helpers/pos-chain.js'
import { parseExposition, type Sample } from './exposition.js'

async function commit(t: PosTestChain, source: BlockSource, round: number, signers?: number[]): Promise<void> {
  const block = await proposeBlock(t)
  const result = await t.chain.importBlock(block, source, commitOf(t, block, signers, round))
  if (result.status !== 'head') throw new Error(`block ${block.height} did not become the head`)
}

async function samples(text: Promise<string>, family: string): Promise<Sample[]> {
  return parseExposition(await text).get(family)?.samples ?? []
}

const value = (list: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  list.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value

describe('proof-of-stake metrics', () => {
  it('count rounds per height, time commits, and report missed votes and the finality lag', async () => {
    const t = await openPosChain()
    const stats = await ValidatorStats.open({ chain: t.chain, engine: t.engine, window: missedWindowOf(t.genesis) })
    const { metrics } = createNodeMetrics()
    let nowMs = 10_000
    observePos(metrics, { chain: t.chain, schedule: t.engine.schedule, stats, nowMs: () => nowMs })

    // Validator 3 leaves its precommit out of every commit (signers 0, 1, 2 are a quorum).
    await commit(t, 'mined', 0) // the first height heard: no start to time it from
    nowMs += 1500
    await commit(t, 'gossip', 1) // 1.5 s after the one before
    nowMs += 700
    await commit(t, 'mined', 0) // 0.7 s
    nowMs += 60_000
    await commit(t, 'sync', 3) // synced: the download's pace, not timed
    nowMs += 400
    await commit(t, 'mined', 0) // after a synced block: no live start, not timed
    await stats.settled()

    const { registry } = metrics
    const rounds = await samples(registry.metrics(), 'peerchain_pos_rounds_per_height')
    expect(value(rounds, 'peerchain_pos_rounds_per_height_count')).toBe(5)
    expect(value(rounds, 'peerchain_pos_rounds_per_height_sum')).toBe(1 + 2 + 1 + 4 + 1)
    expect(value(rounds, 'peerchain_pos_rounds_per_height_bucket', { le: '1' })).toBe(3)
    expect(value(rounds, 'peerchain_pos_rounds_per_height_bucket', { le: '2' })).toBe(4)

    const latency = await samples(registry.metrics(), 'peerchain_pos_commit_latency_seconds')
    expect(value(latency, 'peerchain_pos_commit_latency_seconds_count')).toBe(2)
    expect(value(latency, 'peerchain_pos_commit_latency_seconds_sum')).toBeCloseTo(2.2)
    expect(value(latency, 'peerchain_pos_commit_latency_seconds_bucket', { le: '1' })).toBe(1)

    const missed = await samples(registry.metrics(), 'peerchain_pos_missed_votes')
    expect(missed.map((s) => [s.labels.validator, s.value]).sort()).toEqual(
      POS_VALIDATORS.map((v, i) => [formatAddress(v.address), i === 3 ? 5 : 0]).sort(),
    )

    const lag = await samples(registry.metrics(), 'peerchain_pos_finality_lag_blocks')
    expect(value(lag, 'peerchain_pos_finality_lag_blocks')).toBe(0)
    stats.close()
  })

  it('are not registered on a proof-of-work node', async () => {
    const { metrics } = createNodeMetrics()
    const names = [...parseExposition(await metrics.registry.metrics()).keys()]
    expect(names.filter((n) => n.startsWith('peerchain_pos_'))).toEqual([])
    expect(names).toContain('peerchain_head_height')
  })
})
