/** Relay's onVerdict hook: one call per validated message, with its topic, verdict and rule code. */
import { describe, expect, it } from 'vitest'
import { Tx } from '../../../src/ledger/tx.js'
import { Mempool } from '../../../src/mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import { type GossipFns, Relay } from '../../../src/relay/gossip.js'
import { blockTopic, txTopic } from '../../../src/relay/topics.js'
import { mineBlock, openTestChain, transfer } from '../../helpers/chain.js'

type Validator = (msg: GossipMessage) => Promise<GossipVerdict>

class FakeGossip implements GossipFns {
  readonly validators = new Map<string, Validator>()
  subscribe(topic: string, validate: Validator): void {
    this.validators.set(topic, validate)
  }
  async publish(): Promise<number> {
    return 1
  }
  reportPeer(): void {}
  deliver(topic: string, data: Uint8Array): Promise<GossipVerdict> {
    const validate = this.validators.get(topic)
    if (!validate) throw new Error(`no validator for ${topic}`)
    return validate({ topic, data, from: 'peer-x' })
  }
}

interface Call {
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
  const calls: Call[] = []
  const relay = new Relay(net, t.chain, mempool, {
    onUnknownParent: () => {},
    onVerdict: (topic, verdict, code) => calls.push(code === undefined ? { topic, verdict } : { topic, verdict, code }),
  })
  relay.start()
  return { t, net, calls, txs: txTopic(t.chain.chainId), blocks: blockTopic(t.chain.chainId) }
}

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
