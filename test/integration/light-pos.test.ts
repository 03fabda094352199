/**
 * A light node on a proof-of-stake chain, on real processes: four validators
 * of a genesis with 3-block epochs and one `peerchain start --role light` on
 * loopback. The light node follows the headers from the genesis set by their
 * commits across epoch ends, and past an epoch where the set changes (a
 * devnet account bonds stake, so a fifth validator joins the set: the light
 * node must take the new set from the epoch end's record to go on), shows its
 * tip as final, proves a devnet
 * account's balance (`verified: true`), and a tx sent through it with the
 * unchanged CLI (`tx send --wait`) is included and proven.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { COIN, devnetKey, devnetPosGenesis } from '../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../src/ledger/genesis-pos.js'
import { Tx } from '../../src/ledger/tx.js'
import { TX_KIND } from '../../src/ledger/tx-kind.js'
import { writeValidatorKey } from '../../src/node/validator-key.js'
import { toHex } from '../../src/util/bytes.js'
import { type CliResult, cli as runCli } from '../helpers/cli.js'
import { blockAt, head, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const PASSPHRASE = 'light pos test passphrase'
const cli = (args: string[]): Promise<CliResult> => runCli(args, { PEERCHAIN_PASSPHRASE: PASSPHRASE })
/** Epochs of 3 blocks: the set is chosen again (and proven to the light node) at heights 3, 6, 9 … */
const EPOCH = 3

interface ProvenAccount {
  address: string
  balance: string
  verified: true
  provenAt: { height: number; hash: string }
}

interface LightHead {
  height: number
  hash: string
  finalizedHeight: number | null
  finalizedHash: string | null
}

let net: TestNet
let validators: TestNode[]
let light: TestNode

beforeAll(async () => {
  net = await TestNet.create(devnetPosGenesis(4, { epochLength: EPOCH }))
  for (let i = 0; i < 4; i++) await writeValidatorKey(join(net.dir, `v${i}`), devnetValidatorKey(i))
  const boot = await net.start('v0', { extra: ['--role', 'validator'] })
  validators = [boot]
  for (let i = 1; i < 4; i++) {
    validators.push(await net.start(`v${i}`, { bootstrap: [boot.addr], extra: ['--role', 'validator'] }))
  }
  light = await net.start('light', { bootstrap: validators.map((v) => v.addr), extra: ['--role', 'light'] })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

/** Waits until the light node's tip is at `height` or above and is v0's block there. */
async function lightAt(height: number): Promise<LightHead> {
  const v0 = validators[0] as TestNode
  return waitFor(
    `the light node's tip on the validators' chain at >= ${height}`,
    async () => {
      const tip = await rpc<LightHead>(light.rpc, 'chain_head')
      if (tip.height < height) return undefined
      const block = await blockAt(v0, tip.height)
      return block?.hash === tip.hash ? tip : undefined
    },
    30_000,
  )
}

interface ValidatorsJson {
  height: number
  validators: Array<{ publicKey: string }>
}

describe('a light node on a proof-of-stake chain', () => {
  it('follows the committed headers across epoch ends and a change of the set, its tip final', async () => {
    const v0 = validators[0] as TestNode
    // devnet account 3 bonds 10 coins: from the next epoch on, a set of five signs (the four keep ⅔+ of its power).
    const staker = devnetKey(3)
    const stake = Tx.create(
      {
        chainId: 'peerchain-devnet-pos',
        recipient: addressFromPublicKey(staker.publicKey),
        amount: 10n * COIN,
        fee: 1_000n,
        nonce: 0n,
        kind: TX_KIND.stake,
      },
      staker,
    )
    await rpc(v0.rpc, 'tx_submit', { tx: toHex(stake.bytes) })
    const changed = await waitFor(
      'a set of five',
      async () => {
        const set = await rpc<ValidatorsJson>(v0.rpc, 'pos_validators')
        return set.validators.length === 5 ? set : undefined
      },
      30_000,
    )
    expect(changed.validators.map((v) => v.publicKey)).toContain(toHex(staker.publicKey))
    expect((await rpc<ValidatorsJson>(v0.rpc, 'pos_validators', { height: 1 })).validators).toHaveLength(4)
    // Headers at `changed.height` and on commit to the new set: past it, the light node took that set.
    const tip = await lightAt(Math.max(2 * EPOCH + 1, changed.height + 1))
    expect(tip.finalizedHeight).toBe(tip.height)
    expect(tip.finalizedHash).toBe(tip.hash)
    const status = await rpc<{ role: string; consensus: string; finalized: { height: number } | null }>(
      light.rpc,
      'node_status',
    )
    expect(status).toMatchObject({ role: 'light', consensus: 'pos' })
    expect(status.finalized?.height).toBeGreaterThanOrEqual(tip.height)
    // It took every header from the validators and charged none of them.
    const lightPeers = await rpc<Array<{ id: string; score: number }>>(light.rpc, 'net_peers')
    for (const p of lightPeers) expect(p.score).toBe(0)
    expect(lightPeers.length).toBeGreaterThanOrEqual(1)
  })

  it('answers a devnet balance verified by proofs at a committed header', async () => {
    const address = formatAddress(addressFromPublicKey(devnetKey(1).publicKey))
    const proven = await rpc<ProvenAccount>(light.rpc, 'chain_getAccount', { address })
    expect(proven).toMatchObject({ address, verified: true })
    const v0 = validators[0] as TestNode
    expect((await blockAt(v0, proven.provenAt.height))?.hash).toBe(proven.provenAt.hash)
    // No tx has moved it yet: the validator's balance at its head is the same.
    const full = await rpc<{ balance: string }>(v0.rpc, 'chain_getAccount', { address })
    expect(proven.balance).toBe(full.balance)
  })

  it('sends a tx through the validators with the unchanged CLI, and proves its inclusion', async () => {
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
    const to = formatAddress(addressFromPublicKey(devnetKey(7).publicKey))
    const before = BigInt((await rpc<ProvenAccount>(light.rpc, 'chain_getAccount', { address: to })).balance)
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
      '30',
      '--json',
    ])
    expect(sent.code, sent.stderr).toBe(0)
    const result = JSON.parse(sent.stdout) as { hash: string; status: string; blockHash: string; height: number }
    expect(result.status).toBe('included')
    const proof = await rpc<{ status: string; blockHash: string; verified: boolean }>(light.rpc, 'tx_get', {
      hash: result.hash,
    })
    expect(proof).toMatchObject({ status: 'included', verified: true, blockHash: result.blockHash })
    expect((await blockAt(validators[0] as TestNode, result.height))?.hash).toBe(result.blockHash)
    const after = await waitFor('the proven balance to move', async () => {
      const got = await rpc<ProvenAccount>(light.rpc, 'chain_getAccount', { address: to })
      return BigInt(got.balance) === before + 4242n ? got : undefined
    })
    expect(after.verified).toBe(true)
    expect((await head(light)).height).toBeGreaterThanOrEqual(result.height)
  })
})
