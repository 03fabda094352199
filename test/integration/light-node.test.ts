/**
 * A light node on real processes: two mining full nodes and one
 * `peerchain start --role light` on loopback, on a version 2 header chain.
 * The light node syncs and follows the headers, proves a devnet account's
 * balance with two full peers (`verified: true`), and a tx sent through it
 * with the unchanged CLI (`tx send --wait`) is included and proven.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { toHex } from '../../src/util/bytes.js'
import { type CliResult, cli as runCli } from '../helpers/cli.js'
import {
  blockAt,
  fastGenesis,
  head,
  peers,
  RpcCallError,
  rpc,
  TestNet,
  type TestNode,
  waitFor,
  waitForHeight,
} from '../helpers/devnet.js'

const PASSPHRASE = 'light test passphrase'
const cli = (args: string[]): Promise<CliResult> => runCli(args, { PEERCHAIN_PASSPHRASE: PASSPHRASE })

interface ProvenAccount {
  address: string
  balance: string
  nonce: string
  verified: true
  provenAt: { height: number; hash: string }
}

let net: TestNet
let a: TestNode
let b: TestNode
let light: TestNode

beforeAll(async () => {
  net = await TestNet.create(fastGenesis({ headerVersion: 2 }))
  a = await net.start('a', { mine: true })
  b = await net.start('b', { mine: true, bootstrap: [a.addr] })
  await waitForHeight(a, 5, 30_000)
  light = await net.start('light', { bootstrap: [a.addr, b.addr], extra: ['--role', 'light'] })
}, 90_000)

afterAll(async () => {
  await net?.close()
})

/** Waits until the light node's tip is a block of `full`'s main chain at `height` or above. */
async function lightOnChainOf(full: TestNode, height: number) {
  return waitFor(
    `the light node's tip on the full node's chain at >= ${height}`,
    async () => {
      const tip = await head(light)
      if (tip.height < height) return undefined
      const block = await blockAt(full, tip.height)
      return block?.hash === tip.hash ? tip : undefined
    },
    30_000,
  )
}

describe('a light node', () => {
  it('syncs the headers of the two miners and follows new ones', async () => {
    const first = await lightOnChainOf(a, (await head(a)).height)
    const status = await rpc<{ role: string; head: { height: number } }>(light.rpc, 'node_status')
    expect(status.role).toBe('light')
    expect(status.head.height).toBeGreaterThanOrEqual(first.height)
    // It keeps following: new blocks arrive without a body download or gossip.
    await lightOnChainOf(b, first.height + 3)
    const lightPeers = await peers(light)
    expect(lightPeers.map((p) => p.id).sort()).toEqual([a.peerId, b.peerId].sort())
    // Nobody charged anybody.
    for (const p of lightPeers) expect(p.score).toBe(0)
    const seen = (await peers(a)).find((p) => p.id === light.peerId)
    expect(seen?.score).toBe(0)
    // `peerchain status` works unchanged.
    const cliStatus = await cli(['status', '--rpc', light.rpc, '--json'])
    expect(cliStatus.code, cliStatus.stderr).toBe(0)
    expect(JSON.parse(cliStatus.stdout)).toMatchObject({ role: 'light', consensus: 'pow' })
  })

  it('answers a devnet balance verified by proofs, and refuses what it cannot serve', async () => {
    const address = formatAddress(addressFromPublicKey(devnetKey(1).publicKey))
    const proven = await rpc<ProvenAccount>(light.rpc, 'chain_getAccount', { address })
    expect(proven).toMatchObject({ address, verified: true })
    const full = await rpc<{ balance: string }>(a.rpc, 'chain_getAccount', { address })
    expect(proven.balance).toBe(full.balance)
    expect((await blockAt(a, proven.provenAt.height))?.hash).toBe(proven.provenAt.hash)
    const err = await rpc(light.rpc, 'chain_getBlock', { height: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcCallError)
    expect(err).toMatchObject({ code: -32030, data: { code: 'NOT_ON_LIGHT_NODE' } })
  })

  it('sends a tx through full peers with the unchanged CLI, and proves its inclusion', async () => {
    const datadir = join(net.dir, 'wallet')
    const imported = await cli([
      'wallet',
      'import',
      '--name',
      'dev1',
      '--seed-hex',
      toHex(devnetKey(1).secretKey),
      '--datadir',
      datadir,
      '--json',
    ])
    expect(imported.code, imported.stderr).toBe(0)
    const balance = await cli([
      'wallet',
      'balance',
      '--name',
      'dev1',
      '--datadir',
      datadir,
      '--rpc',
      light.rpc,
      '--json',
    ])
    expect(balance.code, balance.stderr).toBe(0)
    expect(JSON.parse(balance.stdout)).toMatchObject({ name: 'dev1', verified: true })

    const to = formatAddress(addressFromPublicKey(devnetKey(7).publicKey))
    const before = BigInt((await rpc<ProvenAccount>(a.rpc, 'chain_getAccount', { address: to })).balance)
    const sent = await cli([
      'tx',
      'send',
      '--name',
      'dev1',
      '--to',
      to,
      '--amount',
      '4242',
      '--datadir',
      datadir,
      '--rpc',
      light.rpc,
      '--wait',
      '--wait-timeout',
      '60',
      '--json',
    ])
    expect(sent.code, sent.stderr).toBe(0)
    const result = JSON.parse(sent.stdout) as { hash: string; status: string; blockHash: string; height: number }
    expect(result.status).toBe('included')

    const proof = await rpc<{ status: string; blockHash: string; height: number; verified: boolean }>(
      light.rpc,
      'tx_get',
      { hash: result.hash },
    )
    expect(proof).toMatchObject({ status: 'included', verified: true, blockHash: result.blockHash })
    // The full node holds it in the same block.
    const onFull = await waitFor('the full node to hold the tx', async () => {
      const got = await rpc<{ status: string; blockHash?: string }>(a.rpc, 'tx_get', { hash: result.hash })
      return got.status === 'included' ? got : undefined
    })
    expect(onFull.blockHash).toBe(result.blockHash)
    // The recipient's balance, proven, moved by the amount.
    const after = await waitFor('the proven balance to move', async () => {
      const got = await rpc<ProvenAccount>(light.rpc, 'chain_getAccount', { address: to })
      return BigInt(got.balance) === before + 4242n ? got : undefined
    })
    expect(after.verified).toBe(true)
    expect(after.provenAt.height).toBeGreaterThanOrEqual(result.height)
  })
})
