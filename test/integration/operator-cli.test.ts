/**
 * The operator's path end to end against a real 3-node devnet: `init` a data
 * directory, make a second key with `wallet new`, fund the first from a
 * genesis allocation, send on with `tx send --wait`, and read the balances
 * back from every node.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COIN } from '../../src/ledger/genesis.js'
import { cliJson } from '../helpers/cli.js'
import { rpc, TestNet, type TestNode, waitForSameHead } from '../helpers/devnet.js'

const PASSPHRASE = { PEERCHAIN_PASSPHRASE: 'operator test passphrase' }
const GENESIS_BALANCE = 1_000_000n * COIN

let net: TestNet
let nodes: TestNode[]

beforeAll(async () => {
  net = await TestNet.create()
  const n0 = await net.start('n0', { mine: true })
  const n1 = await net.start('n1', { bootstrap: [n0.addr] })
  const n2 = await net.start('n2', { bootstrap: [n0.addr] })
  nodes = [n0, n1, n2]
}, 120_000)

afterAll(async () => {
  await net?.close()
})

interface Sent {
  hash: string
  status: string
  height: number
  blockHash: string
}

describe('init, wallet new, fund, tx send --wait', () => {
  // Eight CLI processes and two waits for a block: about 50 s on an idle 2-core machine, so a minute is too tight.
  it('moves coins between keys of a fresh data directory and every node agrees on the balances', {
    timeout: 180_000,
  }, async () => {
    const datadir = join(net.dir, 'operator')
    const made = await cliJson<{ wallet: { name: string; address: string; status: string } }>(
      ['init', '--datadir', datadir],
      PASSPHRASE,
    )
    expect(made.wallet).toMatchObject({ name: 'default', status: 'created' })
    const init = made.wallet
    expect(init.address).toMatch(/^pc1/)
    const bob = await cliJson<{ address: string }>(['wallet', 'new', '--datadir', datadir, '--name', 'bob'], PASSPHRASE)
    // The genesis allocation of devnet account 1, imported as "funder".
    const funder = await cliJson<{ address: string }>(
      ['wallet', 'import', '--datadir', datadir, '--name', 'funder', '--devnet-account', '1'],
      PASSPHRASE,
    )
    const keys = await cliJson<Array<{ name: string }>>(['wallet', 'list', '--datadir', datadir])
    expect(keys.map((k) => k.name).sort()).toEqual(['bob', 'default', 'funder'])

    // Fund the init key through node 1, then pay bob from it through node 2: both wait for a block.
    const funded = await cliJson<Sent>(
      ['tx', 'send', '--datadir', datadir, '--name', 'funder', '--to', init.address, '--amount', '5000000', '--wait'],
      { ...PASSPHRASE, PEERCHAIN_RPC: (nodes[1] as TestNode).rpc },
    )
    expect(funded.status).toBe('included')
    const paid = await cliJson<Sent>(
      ['tx', 'send', '--datadir', datadir, '--to', bob.address, '--amount', '1200000', '--fee', '3000', '--wait'],
      { ...PASSPHRASE, PEERCHAIN_RPC: (nodes[2] as TestNode).rpc },
    )
    expect(paid.status).toBe('included')
    expect(paid.height).toBeGreaterThan(funded.height)

    await waitForSameHead(nodes, paid.height)
    for (const node of nodes) {
      const balance = async (address: string) =>
        BigInt((await rpc<{ balance: string }>(node.rpc, 'chain_getAccount', { address })).balance)
      // tx send's default fee is 1000 base units.
      expect(await balance(funder.address)).toBe(GENESIS_BALANCE - 5_000_000n - 1000n)
      expect(await balance(init.address)).toBe(5_000_000n - 1_200_000n - 3000n)
      expect(await balance(bob.address)).toBe(1_200_000n)
      // The CLI reads the same from any node.
      const viaCli = await cliJson<{ balance: string; nonce: string }>([
        'wallet',
        'balance',
        '--datadir',
        datadir,
        '--name',
        'bob',
        '--rpc',
        node.rpc,
      ])
      expect(viaCli.balance).toBe('1200000')
    }
  })
})
