import { describe, expect, it } from 'vitest'
import { Tx } from '../../../src/ledger/tx.js'
import { Mempool } from '../../../src/mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import { announceHeads } from '../../../src/relay/announce.js'
import { type GossipFns, Relay, STATEFUL_FAILURE_PENALTY, STATEFUL_FAILURES } from '../../../src/relay/gossip.js'
import { blockTopic, txTopic } from '../../../src/relay/topics.js'
import { mineBlock, openTestChain, transfer } from '../../helpers/chain.js'

class FakeGossip implements GossipFns {
  validators = new Map<string, (msg: GossipMessage) => Promise<GossipVerdict>>()
  published: Array<{ topic: string; data: Uint8Array }> = []
  charges: Array<{ peer: string; penalty: number; reason: string }> = []
  /** What notePeerActivity heard, in order: `<kind> <peer>`. */
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

interface VerdictCall {
  topic: 'tx' | 'block'
  verdict: GossipVerdict
  code?: string
}

async function setup(opts: { syncing?: boolean } = {}) {
  const t = await openTestChain()
  const mempool = new Mempool({
    chainId: t.chain.chainId,
    limits: t.genesis.limits,
    staking: false,
    clock: t.clock,
    readAccounts: (a) => t.chain.getAccounts(a),
  })
  const net = new FakeGossip()
  const orphans: string[] = []
  const calls: VerdictCall[] = []
  const peerBlocks: Array<{ peer: string; height: number; id: string }> = []
  const relay = new Relay(
    net,
    t.chain,
    mempool,
    {
      onUnknownParent: (peer) => orphans.push(peer),
      onPeerBlock: (peer, entry) => peerBlocks.push({ peer, height: entry.height, id: entry.id }),
      onVerdict: (topic, verdict, code) =>
        calls.push(code === undefined ? { topic, verdict } : { topic, verdict, code }),
      countsStatefulFailures: () => !opts.syncing,
    },
    t.clock,
  )
  relay.start()
  return {
    t,
    mempool,
    net,
    relay,
    orphans,
    calls,
    peerBlocks,
    txs: txTopic(t.chain.chainId),
    blocks: blockTopic(t.chain.chainId),
  }
}

describe('Relay', () => {
  it('accepts a valid tx into the mempool, ignores a duplicate', async () => {
    const { mempool, net, t } = await setup()
    const tx = transfer(0, 1, 0n)
    expect(await net.deliver(txTopic(t.chain.chainId), tx.bytes)).toBe('accept')
    expect(mempool.has(tx.id)).toBe(true)
    expect(await net.deliver(txTopic(t.chain.chainId), tx.bytes)).toBe('ignore')
    expect(net.charges).toEqual([])
  })

  it('rejects a forged tx and charges the peer that sent it', async () => {
    const { net, t, mempool } = await setup()
    const honest = transfer(0, 1, 0n)
    const sig = new Uint8Array(honest.fields.signature)
    sig[0] = (sig[0] as number) ^ 1
    const forged = Tx.fromFields({ ...honest.fields, signature: sig })
    expect(await net.deliver(txTopic(t.chain.chainId), forged.bytes, 'liar')).toBe('reject')
    expect(net.charges).toEqual([{ peer: 'liar', penalty: 100, reason: 'TX_BAD_SIGNATURE' }])
    expect(mempool.size).toBe(0)
  })

  it('rejects undecodable bytes with the decode penalty', async () => {
    const { net, t } = await setup()
    expect(await net.deliver(blockTopic(t.chain.chainId), Uint8Array.of(1, 2, 3), 'junk')).toBe('reject')
    expect(net.charges[0]).toMatchObject({ peer: 'junk', penalty: 100 })
  })

  it('accepts a valid block, and ignores an orphan while asking to sync from its sender', async () => {
    const producer = await openTestChain()
    const { net, t, orphans } = await setup()
    const b1 = await mineBlock(producer)
    await producer.chain.importBlock(b1, 'rpc')
    const b2 = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    expect(await net.deliver(blockTopic(t.chain.chainId), b2.bytes, 'ahead')).toBe('ignore')
    expect(orphans).toEqual(['ahead'])
    expect(await net.deliver(blockTopic(t.chain.chainId), b1.bytes)).toBe('accept')
    expect(t.chain.head.height).toBe(2) // the orphan connected once its parent arrived
  })

  it('announces a block we mined once, and never re-publishes a block that came by gossip', async () => {
    const { net, t, relay } = await setup()
    announceHeads({
      onHeadChange: (l) => t.chain.onHeadChange(l),
      publishBlock: (b) => relay.publishBlock(b),
      clock: t.clock,
    })
    const mined = await mineBlock(t)
    await t.chain.importBlock(mined, 'mined')
    expect(net.published.map((m) => m.topic)).toEqual([blockTopic(t.chain.chainId)])
    await expect(t.chain.importBlock(mined, 'mined')).rejects.toMatchObject({ code: 'BLOCK_KNOWN' })
    const producer = await openTestChain()
    await producer.chain.importBlock(mined, 'rpc')
    const gossiped = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    expect(await net.deliver(blockTopic(t.chain.chainId), gossiped.bytes)).toBe('accept')
    expect(t.chain.head.id).toBe(gossiped.id)
    expect(net.published.length).toBe(1)
  })

  it("tells whose head moved when a peer's gossiped block is accepted", async () => {
    const { net, t, peerBlocks } = await setup()
    const producer = await openTestChain()
    const b1 = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    await net.deliver(blockTopic(t.chain.chainId), b1.bytes, 'peer-a')
    expect(peerBlocks).toEqual([{ peer: 'peer-a', height: 1, id: b1.id }])
  })

  it('submits a local tx to the mempool as "rpc" and publishes it; gossiped ones enter as "gossip"', async () => {
    const { net, t, relay, mempool } = await setup()
    const added: Array<{ id: string; source: string }> = []
    mempool.onAdded((tx, _status, source) => added.push({ id: tx.id, source }))
    const local = transfer(0, 1, 0n)
    await relay.submitTx(local)
    expect(net.published).toEqual([{ topic: txTopic(t.chain.chainId), data: local.bytes }])
    const remote = transfer(2, 1, 0n)
    await net.deliver(txTopic(t.chain.chainId), remote.bytes)
    expect(added).toEqual([
      { id: local.id, source: 'rpc' },
      { id: remote.id, source: 'gossip' },
    ])
    await expect(relay.submitTx(local)).rejects.toMatchObject({ code: 'MEMPOOL_DUPLICATE' })
    expect(net.published.length).toBe(1)
  })
})

describe('Relay stateful failures', () => {
  /** Validly signed txs from a key with no account: each fails the balance check. */
  const unfunded = (n: number): Tx[] => Array.from({ length: n }, (_, i) => transfer(77, 1, BigInt(i)))

  it('ignores unfunded txs uncharged up to the bucket, then charges each one beyond it', async () => {
    const { net, txs, t } = await setup()
    const flood = unfunded(STATEFUL_FAILURES.capacity + 3)
    for (const tx of flood.slice(0, STATEFUL_FAILURES.capacity)) {
      expect(await net.deliver(txs, tx.bytes, 'flooder')).toBe('ignore')
    }
    expect(net.charges).toEqual([])
    for (const tx of flood.slice(STATEFUL_FAILURES.capacity)) await net.deliver(txs, tx.bytes, 'flooder')
    expect(net.charges).toEqual(
      Array(3).fill({ peer: 'flooder', penalty: STATEFUL_FAILURE_PENALTY, reason: 'TX_STATEFUL_FAILURES' }),
    )
    // the bucket refills: after a quiet second the peer may fail again uncharged
    t.clock.advance(1_000)
    await net.deliver(txs, transfer(77, 2, 0n).bytes, 'flooder')
    expect(net.charges.length).toBe(3)
  })

  it('counts each peer on its own and never counts duplicates', async () => {
    const { net, txs } = await setup()
    const tx = transfer(0, 1, 0n)
    await net.deliver(txs, tx.bytes, 'a')
    for (let i = 0; i < STATEFUL_FAILURES.capacity + 5; i++) await net.deliver(txs, tx.bytes, 'a')
    for (const t of unfunded(STATEFUL_FAILURES.capacity)) await net.deliver(txs, t.bytes, 'b')
    expect(net.charges).toEqual([])
  })

  it('charges nobody while the node syncs (behind the network, honest txs look unfunded)', async () => {
    const { net, txs } = await setup({ syncing: true })
    for (const tx of unfunded(STATEFUL_FAILURES.capacity + 10)) await net.deliver(txs, tx.bytes, 'peer')
    expect(net.charges).toEqual([])
  })
})

describe('Relay onVerdict hook', () => {
  it('reports accepted, ignored and rejected txs with their rule codes', async () => {
    const { net, calls, txs } = await setup()
    const tx = transfer(0, 1, 0n)
    expect(await net.deliver(txs, tx.bytes)).toBe('accept')
    expect(await net.deliver(txs, tx.bytes)).toBe('ignore')
    const sig = new Uint8Array(tx.fields.signature)
    sig[0] = (sig[0] as number) ^ 1
    const forged = Tx.fromFields({ ...transfer(0, 1, 1n).fields, signature: sig })
    expect(await net.deliver(txs, forged.bytes)).toBe('reject')
    expect(await net.deliver(txs, Uint8Array.of(0xff, 0xff))).toBe('reject')
    expect(calls).toEqual([
      { topic: 'tx', verdict: 'accept' },
      { topic: 'tx', verdict: 'ignore', code: 'MEMPOOL_DUPLICATE' },
      { topic: 'tx', verdict: 'reject', code: 'TX_BAD_SIGNATURE' },
      { topic: 'tx', verdict: 'reject', code: expect.stringMatching(/^DECODE_/) },
    ])
  })

  it('reports an accepted block, an orphan (ignore without a code), a known block and junk', async () => {
    const producer = await openTestChain()
    const { t, net, calls, blocks } = await setup()
    const b1 = await mineBlock(producer)
    await producer.chain.importBlock(b1, 'rpc')
    const b2 = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    expect(await net.deliver(blocks, b2.bytes)).toBe('ignore')
    expect(await net.deliver(blocks, b1.bytes)).toBe('accept')
    expect(await net.deliver(blocks, b1.bytes)).toBe('ignore')
    expect(await net.deliver(blocks, Uint8Array.of(1, 2, 3))).toBe('reject')
    expect(calls).toEqual([
      { topic: 'block', verdict: 'ignore' },
      { topic: 'block', verdict: 'accept' },
      { topic: 'block', verdict: 'ignore', code: 'BLOCK_KNOWN' },
      { topic: 'block', verdict: 'reject', code: expect.stringMatching(/^DECODE_/) },
    ])
  })

  it('tells the network who brought a new valid tx first: not a duplicate, a forgery or an unfunded one', async () => {
    const { net, txs } = await setup()
    const tx = transfer(0, 1, 0n)
    expect(await net.deliver(txs, tx.bytes, 'first')).toBe('accept')
    expect(await net.deliver(txs, tx.bytes, 'second')).toBe('ignore')
    const sig = new Uint8Array(tx.fields.signature)
    sig[0] = (sig[0] as number) ^ 1
    await net.deliver(txs, Tx.fromFields({ ...tx.fields, signature: sig }).bytes, 'liar')
    await net.deliver(txs, transfer(5, 1, 0n, 10n ** 30n).bytes, 'broke')
    expect(net.activity).toEqual(['tx first'])
  })

  it('tells the network who brought a new valid block: not an orphan, a known block or junk', async () => {
    const producer = await openTestChain()
    const { t, net, blocks } = await setup()
    const b1 = await mineBlock(producer)
    await producer.chain.importBlock(b1, 'rpc')
    const b2 = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    expect(await net.deliver(blocks, b2.bytes, 'orphaner')).toBe('ignore')
    expect(await net.deliver(blocks, b1.bytes, 'useful')).toBe('accept')
    expect(await net.deliver(blocks, b1.bytes, 'late')).toBe('ignore')
    expect(await net.deliver(blocks, Uint8Array.of(1, 2, 3), 'junk')).toBe('reject')
    expect(net.activity).toEqual(['block useful'])
  })
})
