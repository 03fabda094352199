import { describe, expect, it } from 'vitest'
import type { Proposal } from '../../../../src/consensus/bft/proposal.js'
import { RoundState } from '../../../../src/consensus/bft/round-state.js'
import { DEFAULT_TIMEOUTS } from '../../../../src/consensus/bft/timeouts.js'
import type { Vote } from '../../../../src/consensus/bft/vote.js'
import { isVerifyError } from '../../../../src/ledger/errors.js'
import { toHex } from '../../../../src/util/bytes.js'
import { hex, testKey } from '../../ledger/fixtures.js'
import { blockHash, CHAIN_ID, proposalBy, RoundRobinSet, voteBy } from './helpers.js'
import { ManualTimers } from './manual-timers.js'
import { fixture, label } from './round-state-fixture.js'

// Height 1 of a 4-validator round-robin set: round r is proposed by validator (1 + r) mod 4.
const A = blockHash('A')

describe('RoundState: the prevotes of a re-proposal’s polka go on with it (vote-gossip.ts relayPolka)', () => {
  /** Validator 0 in round 2 (+⅓ went there), holding round 0's prevotes for A by 1, 2 and 3. */
  const inRound2 = () => {
    const f = fixture(0)
    f.rs.start(1n)
    f.votesFrom([1, 2], 'prevote', 2, null)
    expect(f.rs.snapshot?.round).toBe(2)
    f.votesFrom([1, 2, 3], 'prevote', 0, A)
    return f
  }

  it('a valid re-proposal of our round makes us send on the prevotes we hold for its value in its polka round, whoever cast them', () => {
    const f = inRound2()
    // validator 3 proposes round 2 and claims round 0's polka, but sends none of it
    f.rs.onProposal(proposalBy(3, { round: 2, polRound: 0, blockHash: A }), true)
    const relayed = f.resent.filter((r) => r.resend === 2)
    expect(relayed.map((r) => [r.vote.type, r.vote.round, label(r.vote.blockHash)])).toEqual([
      ['prevote', 0, label(A)],
      ['prevote', 0, label(A)],
      ['prevote', 0, label(A)],
    ])
    expect(relayed.map((r) => hex(r.vote.validator))).toEqual([1, 2, 3].map((i) => hex(voteBy(i).validator)))
    // and we prevote it ourselves, having seen the polka
    expect(f.ourVotes('prevote', 2)).toEqual([label(A)])
  })

  it('relays nothing for a fresh proposal, an invalid block, or a proposal already known', () => {
    const fresh = inRound2()
    fresh.rs.onProposal(proposalBy(3, { round: 2, blockHash: A }), true)
    expect(fresh.resent).toEqual([])
    const invalid = inRound2()
    invalid.rs.onProposal(proposalBy(3, { round: 2, polRound: 0, blockHash: A }), false)
    expect(invalid.resent).toEqual([])
    const twice = inRound2()
    const proposal = proposalBy(3, { round: 2, polRound: 0, blockHash: A })
    twice.rs.onProposal(proposal, true)
    const sent = twice.resent.length
    expect(twice.rs.onProposal(proposal, true)).toBe('duplicate')
    expect(twice.resent).toHaveLength(sent)
  })
})

type Message = { kind: 'vote'; vote: Vote } | { kind: 'proposal'; proposal: Proposal }

/**
 * Three honest validators (0, 1, 2) of a round-robin set of four, each
 * message sent once and never relayed (as the validator service sends its
 * own: what one validator alone was sent, only it has), every message taking
 * 10 ms. Until GST, everything to or from validator 2 is lost. Validator 3 is
 * Byzantine and played by the test.
 */
class SendOnceNetwork {
  readonly timers = new ManualTimers()
  readonly nodes: RoundState[] = []
  readonly decided = new Map<number, { blockHash: string; round: number }>()
  private readonly valid = new Set<string>()
  gst = false

  constructor() {
    for (let index = 0; index < 3; index++) {
      this.nodes.push(
        new RoundState({
          chainId: CHAIN_ID,
          validatorSet: (height) => new RoundRobinSet([1n, 1n, 1n, 1n], height),
          timers: this.timers,
          timeouts: DEFAULT_TIMEOUTS,
          key: testKey(index),
          broadcastProposal: (proposal) => this.broadcast(index, { kind: 'proposal', proposal }),
          broadcastVote: (vote) => this.broadcast(index, { kind: 'vote', vote }),
          propose: (height, round) => this.block(`${height}/${round} by ${index}`),
          decide: (_height, hash, commit) => this.decided.set(index, { blockHash: toHex(hash), round: commit.round }),
        }),
      )
    }
  }

  block(name: string): Uint8Array {
    const hash = blockHash(name)
    this.valid.add(toHex(hash))
    return hash
  }

  /** What validator 3 sends `to` (honest validators only). */
  send(to: number, message: Message, from = 3): void {
    if (!this.gst && (from === 2 || to === 2)) return
    this.timers.setTimeout(() => this.deliver(to, message), 10)
  }

  /** Moves time until `until` holds (checked after each timer) or `ms` passed. */
  runUntil(until: () => boolean, ms: number): void {
    const end = this.timers.clock.nowMs() + ms
    while (!until()) {
      const at = this.timers.nextAtMs()
      if (at === undefined || at > end) return
      this.timers.fireNext()
    }
  }

  private broadcast(from: number, message: Message): void {
    for (let to = 0; to < 3; to++) if (to !== from) this.send(to, message, from)
  }

  private deliver(to: number, message: Message): void {
    const node = this.nodes[to]!
    try {
      if (message.kind === 'vote') node.onVote(message.vote)
      else node.onProposal(message.proposal, this.valid.has(toHex(message.proposal.blockHash)))
    } catch (err) {
      if (!isVerifyError(err)) throw err
    }
  }
}

describe('send-once gossip, a quorum that needs every honest validator, and a polka only one of them saw', () => {
  it('the locked validator sends on the polka of the Byzantine proposer’s re-proposal, and the round decides', () => {
    const net = new SendOnceNetwork()
    const rounds = () => net.nodes.map((n) => n.snapshot?.round ?? 0)
    for (const node of net.nodes) node.start(1n)
    // round 0: validator 1 proposes X; 0 and 1 prevote it, 2 is cut off. Validator 3 prevotes X to
    // validator 0 only and nil to 1: 0 alone sees the polka and locks on X.
    const X = blockHash('1/0 by 1')
    net.send(0, { kind: 'vote', vote: voteBy(3, { blockHash: X }) })
    net.send(1, { kind: 'vote', vote: voteBy(3, { blockHash: null }) })
    net.runUntil(() => net.nodes[0]!.snapshot?.lockedRound === 0, 100)
    expect(net.nodes[0]!.snapshot).toMatchObject({ lockedRound: 0, validRound: 0 })
    net.gst = true
    // round 1: validator 2 proposes a fresh block, which 0, locked on X, cannot prevote; no polka
    net.runUntil(() => Math.min(...rounds()) >= 2, 60_000)
    expect(rounds()).toEqual([2, 2, 2])
    expect(net.nodes.map((n) => n.snapshot?.lockedRound)).toEqual([0, -1, -1])
    expect(net.decided.size).toBe(0)
    // round 2: validator 3 re-proposes X with round 0's polka, to everyone, but sends none of the polka
    for (const to of [0, 1, 2])
      net.send(to, { kind: 'proposal', proposal: proposalBy(3, { round: 2, polRound: 0, blockHash: X }) })
    net.runUntil(() => net.decided.size === 3, 60_000)
    // only validator 0 holds the polka; sent on with the re-proposal, 1 and 2 accept it, and round 2 decides
    expect([...net.decided.values()]).toEqual([0, 1, 2].map(() => ({ blockHash: toHex(X), round: 2 })))
  })
})
