import { describe, expect, it } from 'vitest'
import { Header } from '../../../src/ledger/block.js'
import { encodeSyncResponse } from '../../../src/ledger/codec/wire-codec.js'
import type { Network } from '../../../src/net/network.js'
import { createSyncFns } from '../../../src/node/sync-fns.js'
import { StatusExchange } from '../../../src/relay/status.js'
import { bytesToBigint } from '../../../src/util/bytes.js'
import { systemClock } from '../../../src/util/clock.js'
import { systemTimers } from '../../../src/util/timers.js'
import { mineBlock, minerAddress, openTestChain, transfer } from '../../helpers/chain.js'

describe('createSyncFns', () => {
  it('checks the proof of work of every header a peer sends, before any body is fetched', async () => {
    const t = await openTestChain()
    t.clock.advance(1000)
    const { fields } = await t.chain.buildBlock({ miner: minerAddress(), txs: [] })
    const sealed = (await t.engine.seal(fields)) as Header
    let nonce = 0n
    let unsealed = Header.fromFields(fields)
    while (bytesToBigint(unsealed.hash) <= unsealed.target) unsealed = Header.fromFields({ ...fields, nonce: ++nonce })
    let answer = sealed
    const network = {
      request: async () => encodeSyncResponse({ headers: [answer.bytes], blocks: [] }),
      peers: () => [],
      reportPeer: () => {},
    } as unknown as Network
    const status = new StatusExchange(
      { net: network, chain: t.chain, clock: systemClock, timers: systemTimers },
      { role: 'full' },
    )
    const fns = createSyncFns(network, t.chain, status, (h) => t.engine.checkSeal(h))
    expect((await fns.requestHeaders('p', fns.locator(), 10)).map((h) => h.id)).toEqual([sealed.id])
    answer = unsealed
    await expect(fns.requestHeaders('p', fns.locator(), 10)).rejects.toMatchObject({ code: 'BLOCK_BAD_POW' })
  })

  it('hands every downloaded block to preverify before it is imported', async () => {
    const t = await openTestChain()
    const block = await mineBlock(t, [transfer(0, 1, 0n)])
    const network = {
      request: async () => encodeSyncResponse({ headers: [], blocks: [block.bytes] }),
      reportPeer: () => {},
    } as unknown as Network
    const seen: string[] = []
    const fns = createSyncFns(
      network,
      t.chain,
      new StatusExchange({ net: network, chain: t.chain, clock: systemClock, timers: systemTimers }, { role: 'full' }),
      () => {},
      (b) => seen.push(b.id),
    )
    expect((await fns.requestBlocks('p', [block.hash])).map((b) => b.id)).toEqual([block.id])
    expect(seen).toEqual([block.id])
  })
})
