/**
 * The valid-signature flood with real node processes: three honest nodes and
 * one attacker that passes the status handshake, then gossips validly signed
 * txs from unfunded keys as fast as it can. Such txs fail the cheap balance
 * check before any signature work, and the relay charges the attacker once it
 * sends more than its bucket of them: it is graylisted and discouraged. Meanwhile
 * honest txs still reach every node, and no honest node charges another.
 * The figures (5 nodes, 5,000 txs/s, propagation ratio) are the bench's:
 * bench/flood-tx.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { flood, unfundedTxs } from '../../src/lab/attackers/gossip-flood.js'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { fromHex, toHex } from '../../src/util/bytes.js'
import {
  fastGenesis,
  TestNet as Net,
  peers,
  rpc,
  type TestNet,
  type TestNode,
  type TxStatusJson,
  txStatus,
  waitFor,
} from '../helpers/devnet.js'

const GENESIS = fastGenesis()
const CHAIN_ID = GENESIS.chainId
const FLOOD_RATE_PER_S = 2_000
const FLOOD_MS = 4_000
/**
 * How long after its first message an identity may still reach an honest node
 * (about 0.1 s of validation at this rate; the rest is slack for a loaded CI machine).
 */
const CUT_DEADLINE_MS = 2_500

let net: TestNet
let honest: TestNode[]

beforeAll(async () => {
  net = await Net.create(GENESIS)
  const first = await net.start('h0')
  honest = [first]
  for (const name of ['h1', 'h2']) honest.push(await net.start(name, { bootstrap: [first.addr] }))
  await waitFor('the honest nodes fully connected', async () => {
    const lists = await Promise.all(honest.map(peers))
    return lists.every((list, i) => honest.every((o, j) => i === j || list.some((p) => p.id === o.peerId)))
  })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

/** Honest nodes' views of each other, every 200 ms: any charge or lost connection between them is a fault. */
function watchHonest(): { stop(): Promise<string[]> } {
  const faults: string[] = []
  let running = true
  const done = (async () => {
    while (running) {
      const lists = await Promise.all(honest.map((n) => peers(n).catch(() => undefined)))
      honest.forEach((node, i) => {
        const list = lists[i]
        if (list === undefined) return
        for (const other of honest) {
          if (other === node) continue
          const entry = list.find((p) => p.id === other.peerId)
          if (entry === undefined) faults.push(`${node.peerId} lost ${other.peerId}`)
          else if (entry.score !== 0) faults.push(`${node.peerId} scored ${other.peerId} at ${entry.score}`)
        }
      })
      await new Promise((r) => setTimeout(r, 200))
    }
  })()
  return {
    async stop() {
      running = false
      await done
      return faults
    },
  }
}

describe('a peer flooding validly signed, unfunded txs', () => {
  it('is cut off fast, honest txs still reach every node, and no honest node charges another', async () => {
    const info = await rpc<{ genesisHash: string }>(honest[0]!.rpc, 'node_info')
    const txs = unfundedTxs(CHAIN_ID, 4_000)
    const watcher = watchHonest()
    const honestTxs = [3, 4, 5].map((k) =>
      Tx.create(
        {
          chainId: CHAIN_ID,
          recipient: addressFromPublicKey(devnetKey(9).publicKey),
          amount: 1_000n,
          fee: 100n,
          nonce: 0n,
        },
        devnetKey(k),
      ),
    )
    let submitted: Promise<unknown> | undefined
    const result = await flood(
      { chainId: CHAIN_ID, genesisHash: fromHex(info.genesisHash), targets: honest.map((n) => n.addr) },
      txs,
      {
        ratePerSec: FLOOD_RATE_PER_S,
        durationMs: FLOOD_MS,
        rotate: true,
        // honest txs enter through each node while the flood starts
        onFirstMessage: () => {
          submitted = Promise.all(honestTxs.map((tx, i) => rpc(honest[i]!.rpc, 'tx_submit', { tx: toHex(tx.bytes) })))
        },
      },
    )
    await submitted
    for (const tx of honestTxs) {
      for (const node of honest) {
        await waitFor(`honest tx ${tx.id.slice(0, 8)} in ${node.peerId.slice(-6)}'s mempool`, async () => {
          const status: TxStatusJson = await txStatus(node, tx.id)
          return status.status === 'pending'
        })
      }
    }
    const faults = await watcher.stop()
    // the honest side agrees: no honest node lists any of the attacker's identities
    for (const node of honest) {
      const listed = (await peers(node)).map((p) => p.id)
      expect(listed.filter((id) => result.identities.includes(id))).toEqual([])
    }

    expect(result.sent).toBeGreaterThan(0)
    // every identity the attacker tried was cut within the deadline (the last one may have run out of time first)
    expect(result.cutsMs[0], 'the first identity was cut').toBeDefined()
    for (const cut of result.cutsMs.slice(0, -1)) {
      expect(cut, `cuts ${JSON.stringify(result.cutsMs)}`).toBeDefined()
      expect(cut as number).toBeLessThan(CUT_DEADLINE_MS)
    }
    const last = result.cutsMs.at(-1)
    if (last !== undefined) expect(last).toBeLessThan(CUT_DEADLINE_MS)
    expect(faults).toEqual([])
    // no flood tx got into any mempool
    const floodIds = new Set(txs.map((t) => t.id))
    for (const node of honest) {
      const pool = await rpc<{ txs: Array<{ hash: string }> }>(node.rpc, 'mempool_list', { limit: 1000 })
      expect(pool.txs.filter((t) => floodIds.has(t.hash))).toEqual([])
    }
  }, 40_000)
})
