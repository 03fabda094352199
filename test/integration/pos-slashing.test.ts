/**
 * Slashing with real node processes: of four validators, one is driven to
 * sign twice (PEERCHAIN_TEST_VALIDATOR_FAULT=equivocate). The honest ones
 * see its conflicting votes, send the evidence in a tx, and every node,
 * a full node too, burns the stated fraction of its stake and jails it for
 * good; the chain goes on committing, and the honest validators keep theirs.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { DEVNET_VALIDATOR_STAKE, devnetPosGenesis } from '../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../src/ledger/genesis-pos.js'
import { writeValidatorKey } from '../../src/node/validator-key.js'
import { TestNet as Net, rpc, type TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

interface AccountJson {
  stake?: { bonded: string; tombstoned: boolean; jailedUntil: number | null }
}

const SLASH_BPS = 1_000n
let net: TestNet
let nodes: TestNode[]

beforeAll(async () => {
  net = await Net.create(devnetPosGenesis(4, { slashDoubleSignBps: Number(SLASH_BPS) }))
  for (let i = 0; i < 4; i++) await writeValidatorKey(join(net.dir, `v${i}`), devnetValidatorKey(i))
  const boot = await net.start('v0', { extra: ['--role', 'validator'] })
  nodes = [boot]
  for (let i = 1; i < 4; i++) {
    const env = i === 3 ? { PEERCHAIN_TEST_VALIDATOR_FAULT: 'equivocate' } : undefined
    nodes.push(await net.start(`v${i}`, { bootstrap: [boot.addr], extra: ['--role', 'validator'], env }))
  }
  nodes.push(await net.start('full', { bootstrap: [boot.addr] }))
}, 120_000)

afterAll(async () => {
  await net?.close()
})

const account = (node: TestNode, i: number) =>
  rpc<AccountJson>(node.rpc, 'chain_getAccount', {
    address: formatAddress(addressFromPublicKey(devnetValidatorKey(i).publicKey)),
  })

describe('a validator that signs twice, among real nodes', () => {
  it('is slashed and jailed for good on every node, and only it', async () => {
    const slashed = (DEVNET_VALIDATOR_STAKE - (DEVNET_VALIDATOR_STAKE * SLASH_BPS) / 10_000n).toString()
    await waitFor(
      'the equivocator slashed on every node',
      async () => (await Promise.all(nodes.map((n) => account(n, 3)))).every((a) => a.stake?.tombstoned === true),
      120_000,
    )
    for (const node of nodes) {
      expect((await account(node, 3)).stake?.bonded).toBe(slashed)
      for (const honest of [0, 1, 2]) {
        const stake = (await account(node, honest)).stake
        expect(stake?.bonded).toBe(DEVNET_VALIDATOR_STAKE.toString())
        expect(stake?.jailedUntil).toBeNull()
      }
    }
    // and the chain goes on, one block per height on every node
    const heads = () => Promise.all(nodes.map((n) => rpc<{ height: number }>(n.rpc, 'chain_head')))
    const start = Math.max(...(await heads()).map((h) => h.height))
    await waitFor('two more heights', async () => (await heads()).every((h) => h.height >= start + 2), 60_000)
    const blocks = await Promise.all(
      nodes.map((n) => rpc<{ hash: string }>(n.rpc, 'chain_getBlock', { height: start })),
    )
    expect(new Set(blocks.map((b) => b.hash)).size).toBe(1)
  }, 200_000)
})
