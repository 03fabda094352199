/** src/relay/gossip.ts under BFT finality: the block topic carries committed blocks. */
import { describe, expect, it } from 'vitest'
import { isStaking } from '../../../src/consensus/engine.js'
import { decodeCommittedBlock, encodeCommittedBlock } from '../../../src/ledger/codec/wire-codec.js'
import { Mempool } from '../../../src/mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import { announceHeads } from '../../../src/relay/announce.js'
import { GOSSIP_COMMIT_BYTES_MAX, type GossipFns, Relay } from '../../../src/relay/gossip.js'
import { blockTopic } from '../../../src/relay/topics.js'
import { mineBlock, openTestChain, type TestChain } from '../../helpers/chain.js'
import { commitOf, committedChain, openPosChain, type PosTestChain, proposeBlock } from '../../helpers/pos-chain.js'

class FakeGossip implements GossipFns {
  validators = new Map<string, (msg: GossipMessage) => Promise<GossipVerdict>>()
  published: Array<{ topic: string; data: Uint8Array }> = []
  charges: Array<{ peer: string; penalty: number; reason: string }> = []
  activity: string[] = []
  subscribe(topic: string, validate: (msg: GossipMessage) => Promise<GossipVerdict>): void {
    this.validators.set(topic, validate)
  }
  async publish(topic: string, data: Uint8Array): Promise<number> {
    this.published.push({ topic, data })
    return 1
  }
  reportPeer(peer: string, penalty: number, reason: string): void {
    this.charges.push({ peer, penalty, reason })
  }
  notePeerActivity(peer: string, kind: 'tx' | 'block'): void {
    this.activity.push(`${kind} ${peer}`)
  }
  deliver(topic: string, data: Uint8Array, from = 'peer-x'): Promise<GossipVerdict> {
    return (this.validators.get(topic) as (msg: GossipMessage) => Promise<GossipVerdict>)({ topic, data, from })
  }
}

async function relayOn<T extends PosTestChain | TestChain>(t: T) {
  const mempool = new Mempool({
    chainId: t.chain.chainId,
    limits: t.genesis.limits,
    staking: isStaking(t.engine),
    clock: t.clock,
    readAccounts: (a) => t.chain.getAccounts(a),
  })
  const net = new FakeGossip()
  const orphans: string[] = []
  const codes: Array<string | undefined> = []
  const logs: string[] = []
  const relay = new Relay(
    net,
    t.chain,
    mempool,
    {
      onUnknownParent: (peer) => orphans.push(peer),
      onVerdict: (_topic, _verdict, code) => codes.push(code),
      log: (msg) => logs.push(msg),
    },
    t.clock,
  )
  relay.start()
  return { t, net, relay, orphans, codes, logs, topic: blockTopic(t.chain.chainId) }
}

/** A receiving PoS node, and a producer whose first `count` committed blocks it has not seen. */
async function posSetup(count = 1) {
  const produced = await committedChain(count)
  const receiver = await relayOn(await openPosChain())
  receiver.t.clock.set(produced.source.clock.nowMs())
  return { ...produced, ...receiver }
}

/** The commit with one signature byte flipped: still well formed, no longer signed. */
function forged(commit: Uint8Array): Uint8Array {
  const bad = new Uint8Array(commit)
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
  return bad
}

describe('Relay under BFT finality', () => {
  it('relays a committed block: imports it with its commit and credits the sender', async () => {
    const { net, t, topic, blocks, commits } = await posSetup()
    const [block, commit] = [blocks[0], commits[0]] as [(typeof blocks)[0], Uint8Array]
    const data = encodeCommittedBlock({ block: block.bytes, commit })
    expect(await net.deliver(topic, data, 'validator')).toBe('accept')
    expect(t.chain.head.id).toBe(block.id)
    expect(t.chain.finalized?.id).toBe(block.id)
    expect(await t.chain.getCommit(block.id)).toEqual(commit)
    expect(net.activity).toEqual(['block validator'])
    expect(net.charges).toEqual([])
  })

  it('rejects a block whose commit is forged, short of a quorum or truncated, and charges the sender', async () => {
    const { net, t, topic, blocks, commits, source, codes } = await posSetup()
    const [block, commit] = [blocks[0], commits[0]] as [(typeof blocks)[0], Uint8Array]
    const send = (c: Uint8Array, from: string) =>
      net.deliver(topic, encodeCommittedBlock({ block: block.bytes, commit: c }), from)
    expect(await send(forged(commit), 'forger')).toBe('reject')
    expect(await send(commitOf(source, block, [0, 1]), 'short')).toBe('reject')
    expect(await send(commit.subarray(0, commit.length - 10), 'truncated')).toBe('reject')
    expect(net.charges).toEqual([
      { peer: 'forger', penalty: 100, reason: 'COMMIT_BAD_SIGNATURE' },
      { peer: 'short', penalty: 100, reason: 'COMMIT_NO_QUORUM' },
      { peer: 'truncated', penalty: 100, reason: expect.stringMatching(/^DECODE_/) },
    ])
    expect(codes.slice(0, 2)).toEqual(['COMMIT_BAD_SIGNATURE', 'COMMIT_NO_QUORUM'])
    expect(t.chain.head.height).toBe(0)
    expect(net.activity).toEqual([])
    // Nothing of the refused copies stuck: the honest one still imports.
    expect(await send(commit, 'honest')).toBe('accept')
  })

  it('refuses a commit past the wire bound before checking anything else', async () => {
    const { net, topic, blocks } = await posSetup()
    const huge = new Uint8Array(GOSSIP_COMMIT_BYTES_MAX + 1).fill(1)
    const data = encodeCommittedBlock({ block: (blocks[0] as (typeof blocks)[0]).bytes, commit: huge })
    expect(await net.deliver(topic, data, 'bloater')).toBe('reject')
    expect(net.charges).toEqual([{ peer: 'bloater', penalty: 100, reason: 'DECODE_TOO_LARGE' }])
  })

  it('ignores a block sent without its commit, and charges nobody', async () => {
    const { net, t, topic, blocks, codes } = await posSetup()
    const data = encodeCommittedBlock({ block: (blocks[0] as (typeof blocks)[0]).bytes, commit: new Uint8Array(0) })
    expect(await net.deliver(topic, data, 'careless')).toBe('ignore')
    expect(codes).toEqual(['BLOCK_MISSING_COMMIT'])
    expect(net.charges).toEqual([])
    expect(t.chain.head.height).toBe(0)
  })

  it('refuses a bare block (the proof-of-work payload): it is not a committed block', async () => {
    const { net, topic, blocks } = await posSetup()
    expect(await net.deliver(topic, (blocks[0] as (typeof blocks)[0]).bytes, 'pow-peer')).toBe('reject')
    expect(net.charges).toEqual([{ peer: 'pow-peer', penalty: 100, reason: expect.stringMatching(/^DECODE_/) }])
  })

  it('ignores a committed block whose parent is unknown and asks to sync from its sender, holding nothing', async () => {
    const { net, t, topic, blocks, commits, orphans } = await posSetup(2)
    const data = encodeCommittedBlock({
      block: (blocks[1] as (typeof blocks)[0]).bytes,
      commit: commits[1] as Uint8Array,
    })
    expect(await net.deliver(topic, data, 'ahead')).toBe('ignore')
    expect(orphans).toEqual(['ahead'])
    expect(t.chain.orphanCount).toBe(0)
    expect(net.charges).toEqual([])
  })

  it('announces a decided block with the commit stored with it', async () => {
    const { net, t, relay } = await relayOn(await openPosChain())
    announceHeads({
      onHeadChange: (l) => t.chain.onHeadChange(l),
      publishBlock: (b) => relay.publishBlock(b),
      clock: t.clock,
    })
    const block = await proposeBlock(t)
    const commit = commitOf(t, block)
    await t.chain.importBlock(block, 'mined', commit)
    expect(net.published.length).toBe(1)
    const sent = decodeCommittedBlock(net.published[0]?.data as Uint8Array, {
      blockBytesMax: t.genesis.limits.blockBytesMax,
      commitBytesMax: GOSSIP_COMMIT_BYTES_MAX,
    })
    expect(sent.block).toEqual(block.bytes)
    expect(sent.commit).toEqual(commit)
  })

  it('does not publish a block it holds no commit for, and logs it', async () => {
    const { net, t, relay, logs } = await relayOn(await openPosChain())
    expect(await relay.publishBlock(await proposeBlock(t))).toBe(0)
    expect(net.published).toEqual([])
    expect(logs).toEqual(['not publishing a block without a stored commit'])
  })
})

describe('Relay under proof of work', () => {
  it('publishes the bare encoded block, and refuses a committed-block payload', async () => {
    const { net, t, relay, topic } = await relayOn(await openTestChain())
    const block = await mineBlock(t)
    await relay.publishBlock(block)
    expect(net.published).toEqual([{ topic, data: block.bytes }])
    const producer = await openTestChain()
    const other = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    const wrapped = encodeCommittedBlock({ block: other.bytes, commit: Uint8Array.of(1, 2, 3) })
    expect(await net.deliver(topic, wrapped, 'pos-peer')).toBe('reject')
    expect(await net.deliver(topic, other.bytes, 'pow-peer')).toBe('accept')
  })
})
