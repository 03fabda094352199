/**
 * Proof of stake with real node processes: four validators and a full node
 * over libp2p on 127.0.0.1 commit the same blocks, each final at once; a tx
 * sent to the full node is included; with one validator stopped the other
 * three (¾ of the power) go on committing; with two stopped the chain halts
 * with no conflicting commit and resumes when one returns; a fresh full node
 * syncs the chain, checking every commit.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey, devnetPosGenesis } from '../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../src/ledger/genesis-pos.js'
import { Tx } from '../../src/ledger/tx.js'
import { writeValidatorKey } from '../../src/node/validator-key.js'
import { toHex } from '../../src/util/bytes.js'
import { TestNet as Net, rpc, type TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

interface Head {
  height: number
  hash: string
  finalizedHeight: number | null
  finalizedHash: string | null
}

let net: TestNet
let validators: TestNode[]
let full: TestNode

beforeAll(async () => {
  net = await Net.create(devnetPosGenesis(4))
  for (let i = 0; i < 4; i++) await writeValidatorKey(join(net.dir, `v${i}`), devnetValidatorKey(i))
  const boot = await net.start('v0', { extra: ['--role', 'validator'] })
  validators = [boot]
  for (let i = 1; i < 4; i++) {
    validators.push(await net.start(`v${i}`, { bootstrap: [boot.addr], extra: ['--role', 'validator'] }))
  }
  full = await net.start('full', { bootstrap: [boot.addr] })
}, 120_000)

afterAll(async () => {
  await net?.close()
})

const heads = (nodes: TestNode[]) => Promise.all(nodes.map((n) => rpc<Head>(n.rpc, 'chain_head')))

describe('a proof-of-stake network of real nodes', () => {
  it('commits the same final blocks on every node, and includes a tx sent to the full node', async () => {
    const all = [...validators, full]
    await waitFor('height 3 on every node', async () => (await heads(all)).every((h) => h.height >= 3), 60_000)
    const tx = Tx.create(
      {
        chainId: 'peerchain-devnet-pos',
        recipient: addressFromPublicKey(devnetKey(7).publicKey),
        amount: 4242n,
        fee: 100n,
        nonce: 0n,
      },
      devnetKey(2),
    )
    await rpc(full.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
    const included = await waitFor(
      'the tx included',
      async () => {
        const r = await rpc<{ status: string; height?: number }>(full.rpc, 'tx_get', { hash: tx.id })
        return r.status === 'included' ? r : undefined
      },
      60_000,
    )
    const height = included.height as number
    await waitFor('every node past the tx', async () => (await heads(all)).every((h) => h.height >= height), 60_000)
    const blocks = await Promise.all(all.map((n) => rpc<{ hash: string }>(n.rpc, 'chain_getBlock', { height })))
    expect(new Set(blocks.map((b) => b.hash)).size).toBe(1)
    for (const h of await heads(all)) {
      // Every stored block is final: the head is the finalized block.
      expect(h.finalizedHeight).toBe(h.height)
      expect(h.finalizedHash).toBe(h.hash)
    }
    const status = await rpc<{ consensus: string; validator: { height: number } | null }>(
      validators[1]?.rpc as string,
      'node_status',
    )
    expect(status.consensus).toBe('pos')
    expect(status.validator).not.toBeNull()
    expect((await rpc<{ validator: unknown }>(full.rpc, 'node_status')).validator).toBeNull()
  }, 180_000)

  it('goes on committing with one validator of four stopped', async () => {
    await net.stop(validators[3] as TestNode)
    const live = [validators[0], validators[1], validators[2], full] as TestNode[]
    const start = Math.max(...(await heads(live)).map((h) => h.height))
    await waitFor(
      'three more heights without validator 3',
      async () => (await heads(live)).every((h) => h.height >= start + 3),
      90_000,
    )
  }, 120_000)

  it('halts with two of four validators stopped, commits nothing conflicting, and resumes when one returns', async () => {
    await net.stop(validators[2] as TestNode)
    const live = [validators[0], validators[1], full] as TestNode[]
    // A block whose precommits were already on the wire may still land: let them settle first.
    await new Promise((r) => setTimeout(r, 3_000))
    const top = Math.max(...(await heads(live)).map((h) => h.height))
    // Half the power cannot commit: over several round timeouts, no node moves past the top.
    await new Promise((r) => setTimeout(r, 6_000))
    const halted = await heads(live)
    expect(Math.max(...halted.map((h) => h.height))).toBe(top)
    for (const h of halted) expect(h.finalizedHeight).toBe(h.height)
    const back = await net.start('v2', { bootstrap: [validators[0]?.addr as string], extra: ['--role', 'validator'] })
    validators[2] = back
    const resumed = [validators[0], validators[1], back, full] as TestNode[]
    await waitFor(
      'two heights past the halt',
      async () => (await heads(resumed)).every((h) => h.height >= top + 2),
      90_000,
    )
    for (let height = 1; height <= top + 2; height++) {
      const blocks = await Promise.all(resumed.map((n) => rpc<{ hash: string }>(n.rpc, 'chain_getBlock', { height })))
      expect(new Set(blocks.map((b) => b.hash)).size).toBe(1)
    }
  }, 180_000)

  it('a fresh full node syncs the chain, each block with its commit', async () => {
    const fresh = await net.start('fresh', { bootstrap: [full.addr] })
    const target = (await rpc<Head>(full.rpc, 'chain_head')).height
    await waitFor(
      'the fresh node at the head',
      async () => (await rpc<Head>(fresh.rpc, 'chain_head')).height >= target,
      90_000,
    )
    const [a, b] = await Promise.all(
      [full, fresh].map((n) => rpc<{ hash: string }>(n.rpc, 'chain_getBlock', { height: target })),
    )
    expect(b?.hash).toBe(a?.hash)
    const head = await rpc<Head>(fresh.rpc, 'chain_head')
    expect(head.finalizedHeight).toBe(head.height)
  }, 120_000)
})
