import { describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import { Tx } from '../../../src/ledger/tx.js'
import { Mempool } from '../../../src/mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import { type GossipFns, Relay } from '../../../src/relay/gossip.js'
import { blockTopic, txTopic } from '../../../src/relay/topics.js'
import { mineBlock, openTestChain, transfer } from '../../helpers/chain.js'

class FakeGossip implements GossipFns {
  validators = new Map<string, (msg: GossipMessage) => Promise<GossipVerdict>>()
  published: Array<{ topic: string; data: Uint8Array }> = []
  charges: Array<{ peer: string; penalty: number; reason: string }> = []
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
  deliver(topic: string, data: Uint8Array, from = 'peer-x'): Promise<GossipVerdict> {
    return (this.validators.get(topic) as (msg: GossipMessage) => Promise<GossipVerdict>)({ topic, data, from })
  }
}

interface VerdictCall {
  topic: 'tx' | 'block'
  verdict: GossipVerdict
  code?: string
}

async function setup() {
  const t = await openTestChain()
  const mempool = new Mempool({
    chainId: t.chain.chainId,
    limits: t.genesis.limits,
    clock: t.clock,
    readAccounts: (a) => t.chain.getAccounts(a),
  })
  const net = new FakeGossip()
  const orphans: string[] = []
  const calls: VerdictCall[] = []
  const relay = new Relay(net, t.chain, mempool, {
    onUnknownParent: (peer) => orphans.push(peer),
    onVerdict: (topic, verdict, code) => calls.push(code === undefined ? { topic, verdict } : { topic, verdict, code }),
  })
  relay.start()
  return { t, mempool, net, relay, orphans, calls, txs: txTopic(t.chain.chainId), blocks: blockTopic(t.chain.chainId) }
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
    await producer.chain.importBlock(b1)
    const b2 = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    expect(await net.deliver(blockTopic(t.chain.chainId), b2.bytes, 'ahead')).toBe('ignore')
    expect(orphans).toEqual(['ahead'])
    expect(await net.deliver(blockTopic(t.chain.chainId), b1.bytes)).toBe('accept')
    expect(t.chain.head.height).toBe(2) // the orphan connected once its parent arrived
  })

  it('publishes a block once, and never a block that came by gossip', async () => {
    const producer = await openTestChain()
    const { net, t, relay } = await setup()
    const mined = await mineBlock(producer)
    await relay.publishBlock(mined)
    await relay.publishBlock(mined)
    expect(net.published.length).toBe(1)
    const gossiped = await mineBlock(producer)
    t.clock.set(producer.clock.nowMs())
    await net.deliver(blockTopic(t.chain.chainId), Block.fromBytes(gossiped.bytes).bytes)
    await relay.publishBlock(gossiped)
    expect(net.published.length).toBe(1)
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
    await producer.chain.importBlock(b1)
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
})
