/** The pool of recent txs is fed by the mempool's drops and by the gossiped txs it ignores. */
import { describe, expect, it } from 'vitest'
import type { Tx } from '../../../../src/ledger/tx.js'
import { Mempool } from '../../../../src/mempool/index.js'
import type { GossipMessage, GossipVerdict } from '../../../../src/net/network.js'
import { Relay } from '../../../../src/relay/gossip.js'
import { txTopic } from '../../../../src/relay/topics.js'
import { openTestChain, transfer } from '../../../helpers/chain.js'

async function pool(options: { countMax?: number } = {}) {
  const t = await openTestChain()
  const mempool = new Mempool(
    {
      chainId: t.chain.chainId,
      limits: t.genesis.limits,
      staking: false,
      clock: t.clock,
      readAccounts: (a) => t.chain.getAccounts(a),
    },
    options,
  )
  const dropped: string[] = []
  mempool.onDropped((txs) => dropped.push(...txs.map((tx) => tx.id)))
  return { t, mempool, dropped }
}

describe('Mempool onDropped', () => {
  it('hears a tx replaced by a higher fee and one evicted for room, not one admitted or mined', async () => {
    const { mempool, dropped } = await pool({ countMax: 2 })
    const cheap = transfer(0, 1, 0n, 1000n, 10n)
    await mempool.add(cheap)
    const bumped = transfer(0, 1, 0n, 1000n, 20n)
    await mempool.add(bumped)
    expect(dropped).toEqual([cheap.id])
    await mempool.add(transfer(1, 2, 0n, 1000n, 30n))
    const rich = transfer(2, 3, 0n, 1000n, 50n)
    await mempool.add(rich)
    expect(dropped).toEqual([cheap.id, bumped.id])
    await mempool.reset({ included: [rich], returned: [] })
    expect(dropped).toEqual([cheap.id, bumped.id])
  })

  it('hears the txs expire() drops', async () => {
    const { t, mempool, dropped } = await pool()
    const tx = transfer(0, 1, 0n)
    await mempool.add(tx)
    t.clock.advance(mempool.options.expiryMs)
    expect(mempool.expire()).toEqual([tx.id])
    expect(dropped).toEqual([tx.id])
  })
})

describe('Relay onTxIgnored', () => {
  it('hands over a gossiped tx the mempool ignored (a nonce gap), but not a duplicate or an admitted one', async () => {
    const { t, mempool } = await pool()
    const ignored: Tx[] = []
    let validate: ((msg: GossipMessage) => Promise<GossipVerdict>) | undefined
    const topic = txTopic(t.chain.chainId)
    const relay = new Relay(
      {
        subscribe: (name, v) => {
          if (name === topic) validate = v
        },
        publish: async () => 1,
        reportPeer: () => {},
        notePeerActivity: () => {},
      },
      t.chain,
      mempool,
      { onUnknownParent: () => {}, onTxIgnored: (tx) => ignored.push(tx) },
      t.clock,
    )
    relay.start()
    const deliver = (tx: Tx) => (validate as NonNullable<typeof validate>)({ topic, data: tx.bytes, from: 'p' })
    const admitted = transfer(0, 1, 0n)
    expect(await deliver(admitted)).toBe('accept')
    expect(await deliver(admitted)).toBe('ignore')
    const gapped = transfer(3, 1, 1000n)
    expect(await deliver(gapped)).toBe('ignore')
    expect(ignored.map((tx) => tx.id)).toEqual([gapped.id])
  })
})
