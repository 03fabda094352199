import { describe, expect, it } from 'vitest'
import { strictDecoders } from '../../../../src/ledger/decoders.js'
import type { Tx } from '../../../../src/ledger/tx.js'
import { DandelionRelay, type FluffReason } from '../../../../src/relay/dandelion/index.js'
import { STEM_FORWARD_ATTEMPTS_MAX, STEM_REQUEST_RATE } from '../../../../src/relay/dandelion/stem-relay.js'
import { seededRng } from '../../../../src/util/rng.js'
import { expectCode, harness, LIMITS, tx } from '../../mempool/helpers.js'
import { FakeStemNet, flush, ManualTimers } from './helpers.js'

const EMBARGO_MEAN_MS = 5_000

function setup(opts: { fluffProbability?: number; outbound?: string[]; poolTxsMax?: number } = {}) {
  const { pool: mempool, clock } = harness()
  const timers = new ManualTimers(clock)
  const net = new FakeStemNet()
  net.outbound = opts.outbound ?? ['o1', 'o2', 'o3']
  const published: Tx[] = []
  const fluffs: FluffReason[] = []
  const relay = new DandelionRelay(
    net,
    {
      decodeTx: (bytes) => strictDecoders.tx(bytes, LIMITS.txBytesMax),
      check: (t) => mempool.check(t),
      isPublic: (id) => mempool.has(id),
      fluff: async (t, own) => {
        await mempool.add(t, own ? 'rpc' : 'gossip')
        published.push(t)
      },
    },
    { clock, timers, rng: seededRng(9) },
    {
      chainId: 'mempool-test',
      fluffProbability: opts.fluffProbability ?? 0,
      embargoMeanMs: EMBARGO_MEAN_MS,
      poolTxsMax: opts.poolTxsMax,
    },
    { onFluff: (reason) => fluffs.push(reason) },
  )
  mempool.setHeldOutside((sender, nonce) => relay.pool.holdsNonce(sender, nonce))
  mempool.onAdded((t, _status, source) => {
    if (source === 'gossip') relay.seenInGossip(t.id)
  })
  return { relay, mempool, net, timers, published, fluffs }
}

describe('DandelionRelay', () => {
  it('keeps an own tx private (not listed, not served, not gossiped) and sends it to one relay', async () => {
    const { relay, mempool, net, published } = setup()
    await relay.start()
    const t = tx(1, 0)
    const result = await relay.submitOwn(t)
    await flush()
    expect(result).toEqual({ id: t.id, status: 'ready', droppedIds: [] })
    expect(mempool.list()).toEqual([])
    expect(mempool.get(t.id)).toBeUndefined()
    expect(mempool.template({ txsMax: 10, bytesMax: 1 << 20 })).toEqual([])
    expect(published).toEqual([])
    expect(net.sent).toHaveLength(1)
    expect(relay.router.currentRelays()).toContain(net.sent[0]?.peer)
    expect(relay.stats).toEqual({ stemTxs: 1, fluffs: 0, embargoFires: 0 })
  })

  it('gives the wallet the next nonce past its own stem txs', async () => {
    const { relay, mempool } = setup()
    await relay.start()
    const t = tx(1, 0)
    await relay.submitOwn(t)
    expect(mempool.nextNonce(t.senderHex, 0n)).toBe(1n)
    const next = await relay.submitOwn(tx(1, 1))
    expect(next.status).toBe('future')
  })

  it('refuses an invalid own tx with its VerifyError, and a duplicate', async () => {
    const { relay } = setup()
    await relay.start()
    await expectCode(relay.submitOwn(tx(1, 0, { chainId: 'other-chain' })), 'TX_WRONG_CHAIN')
    const t = tx(1, 0)
    await relay.submitOwn(t)
    await expectCode(relay.submitOwn(t), 'MEMPOOL_DUPLICATE')
  })

  it('fluffs an own tx when the embargo fires (the relay took it and dropped it)', async () => {
    const { relay, mempool, timers, published, fluffs } = setup()
    await relay.start()
    const t = tx(1, 0)
    await relay.submitOwn(t)
    await flush()
    timers.advance(8 * EMBARGO_MEAN_MS)
    await flush()
    expect(published.map((p) => p.id)).toEqual([t.id])
    expect(mempool.has(t.id)).toBe(true)
    expect(fluffs).toEqual(['embargo'])
    expect(relay.stats).toEqual({ stemTxs: 1, fluffs: 1, embargoFires: 1 })
    expect(relay.pool.size).toBe(0)
  })

  it('ends the embargo without a fluff when the tx is seen in gossip', async () => {
    const { relay, mempool, timers, published } = setup()
    await relay.start()
    const t = tx(1, 0)
    await relay.submitOwn(t)
    await mempool.add(t, 'gossip')
    expect(relay.pool.size).toBe(0)
    expect(relay.embargoesRunning).toBe(0)
    timers.advance(8 * EMBARGO_MEAN_MS)
    await flush()
    expect(published).toEqual([])
    expect(relay.stats.embargoFires).toBe(0)
  })

  it('ends the stem of a tx a block includes, without a fluff', async () => {
    const { relay, timers, published } = setup()
    await relay.start()
    const t = tx(1, 0)
    await relay.submitOwn(t)
    relay.included([t.id, 'not-held'])
    expect(relay.pool.size).toBe(0)
    timers.advance(8 * EMBARGO_MEAN_MS)
    await flush()
    expect(published).toEqual([])
    expect(relay.stats.embargoFires).toBe(0)
  })

  it('routes a tx that arrives twice while it is checked only once', async () => {
    const { relay, net } = setup()
    await relay.start()
    const t = tx(1, 0)
    await Promise.all([net.deliver(t.bytes, 'in1'), net.deliver(t.bytes, 'in2')])
    await flush()
    expect(relay.stats.stemTxs).toBe(1)
    expect(net.sent).toHaveLength(1)
  })

  it('falls back to the other relay when the next hop refuses, and fluffs when it is unreachable too', async () => {
    const { relay, net, published, fluffs } = setup({ outbound: ['o1', 'o2'] })
    await relay.start()
    net.answers.set('o1', 'refused')
    net.answers.set('o2', 'unreachable')
    const t = tx(1, 0)
    await relay.submitOwn(t)
    for (let i = 0; i < 5; i++) await flush()
    expect(net.sent.map((s) => s.peer).sort()).toEqual(['o1', 'o2'])
    expect(net.sent).toHaveLength(STEM_FORWARD_ATTEMPTS_MAX)
    expect(published.map((p) => p.id)).toEqual([t.id])
    expect(fluffs).toEqual(['fallback'])
  })

  it('gossips an own tx at once when there is no relay, and answers once it is in the mempool', async () => {
    const { relay, mempool, net, published, fluffs } = setup({ outbound: [] })
    await relay.start()
    const t = tx(1, 0)
    await relay.submitOwn(t)
    expect(mempool.has(t.id)).toBe(true)
    expect(published.map((p) => p.id)).toEqual([t.id])
    expect(fluffs).toEqual(['no-relay'])
    expect(net.sent).toEqual([])
  })

  it('takes a valid stem tx from a peer, answers accepted, and keeps it private while it stems on', async () => {
    const { relay, mempool, net, published } = setup()
    await relay.start()
    const t = tx(1, 0)
    const answer = await net.deliver(t.bytes, 'in1')
    await flush()
    expect([...answer]).toEqual([1])
    expect(relay.pool.has(t.id)).toBe(true)
    expect(mempool.list()).toEqual([])
    expect(mempool.get(t.id)).toBeUndefined()
    expect(published).toEqual([])
    expect(net.sent.map((s) => s.peer)).toHaveLength(1)
    expect(net.sent[0]?.peer).not.toBe('in1')
  })

  it('fluffs relayed stem txs in an epoch where it diffuses', async () => {
    const { relay, net, published, fluffs } = setup({ fluffProbability: 1 })
    await relay.start()
    const t = tx(1, 0)
    await net.deliver(t.bytes, 'in1')
    await flush()
    expect(published.map((p) => p.id)).toEqual([t.id])
    expect(net.sent).toEqual([])
    expect(fluffs).toEqual(['diffuser'])
  })

  it('fluffs a stem tx that comes round a loop', async () => {
    const { relay, net, published, fluffs } = setup()
    await relay.start()
    const t = tx(1, 0)
    await net.deliver(t.bytes, 'in1')
    await net.deliver(t.bytes, 'in2')
    await flush()
    expect(published.map((p) => p.id)).toEqual([t.id])
    expect(fluffs).toEqual(['loop'])
  })

  it('refuses an invalid stem tx and charges a rejected one; undecodable bytes are charged', async () => {
    const { relay, net } = setup()
    await relay.start()
    const unfunded = tx(42, 0) // account 42 has nothing: ignored, not charged
    expect([...(await net.deliver(unfunded.bytes, 'in1'))]).toEqual([0])
    expect([...(await net.deliver(Uint8Array.of(1, 2, 3), 'in2'))]).toEqual([0])
    expect(net.charges.map((c) => c.peer)).toEqual(['in2'])
    expect(relay.pool.size).toBe(0)
  })

  it('rate limits stem txs per peer and charges the excess', async () => {
    const { relay, net } = setup()
    await relay.start()
    const results: string[] = []
    for (let n = 0; n <= STEM_REQUEST_RATE.capacity; n++) {
      await net.deliver(tx(n % 10, Math.floor(n / 10)).bytes, 'flooder').then(
        () => results.push('ok'),
        (err: { code?: string }) => results.push(String(err.code)),
      )
    }
    expect(results.filter((r) => r === 'ok')).toHaveLength(STEM_REQUEST_RATE.capacity)
    expect(results.at(-1)).toBe('STEM_RATE_LIMITED')
    expect(net.charges.some((c) => c.peer === 'flooder' && c.reason === 'STEM_RATE_LIMITED')).toBe(true)
  })

  it('fluffs at once when the stem pool is full, so nothing is lost and the pool stays bounded', async () => {
    const { relay, net, published, fluffs } = setup({ poolTxsMax: 1 })
    await relay.start()
    await net.deliver(tx(1, 0).bytes, 'in1')
    const second = tx(2, 0)
    await net.deliver(second.bytes, 'in1')
    await flush()
    expect(relay.pool.size).toBe(1)
    expect(published.map((p) => p.id)).toEqual([second.id])
    expect(fluffs).toEqual(['pool-full'])
  })

  it('answers accepted for a tx already public, without holding it', async () => {
    const { relay, mempool, net } = setup()
    await relay.start()
    const t = tx(1, 0)
    await mempool.add(t, 'gossip')
    expect([...(await net.deliver(t.bytes, 'in1'))]).toEqual([1])
    expect(relay.pool.size).toBe(0)
    expect(net.sent).toEqual([])
  })
})

describe('DandelionRelay test fault: dropStems', () => {
  it('answers accepted, holds nothing and starts no embargo', async () => {
    const { pool: mempool, clock } = harness()
    const timers = new ManualTimers(clock)
    const net = new FakeStemNet()
    net.outbound = ['o1', 'o2']
    const relay = new DandelionRelay(
      net,
      {
        decodeTx: (bytes) => strictDecoders.tx(bytes, LIMITS.txBytesMax),
        check: (t) => mempool.check(t),
        isPublic: (id) => mempool.has(id),
        fluff: async () => {
          throw new Error('a dropping node fluffs nothing')
        },
      },
      { clock, timers, rng: seededRng(1) },
      { chainId: 'mempool-test', dropStems: true },
    )
    await relay.start()
    expect([...(await net.deliver(tx(1, 0).bytes, 'in1'))]).toEqual([1])
    await flush()
    expect(relay.pool.size).toBe(0)
    expect(relay.embargoesRunning).toBe(0)
    expect(net.sent).toEqual([])
  })
})
