/** The operator's wallet commands end to end: `peerchain wallet …` and `tx send --wait` against one real node. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { toHex } from '../../src/util/bytes.js'
import { type CliResult, cli as runCli } from '../helpers/cli.js'
import { rpc, TestNet, type TestNode } from '../helpers/devnet.js'

const PASSPHRASE = 'integration test passphrase'

/** Stdin is not a TTY (as under CI), so a missing passphrase must fail rather than prompt. */
const cli = (args: string[], env: Record<string, string> = { PEERCHAIN_PASSPHRASE: PASSPHRASE }): Promise<CliResult> =>
  runCli(args, env)

let net: TestNet
let node: TestNode
let datadir: string

beforeAll(async () => {
  net = await TestNet.create()
  node = await net.start('n0', { mine: true })
  datadir = join(net.dir, 'cli')
}, 120_000)

afterAll(async () => {
  await net?.close()
})

const balanceOf = async (name: string): Promise<bigint> => {
  const res = await cli(['wallet', 'balance', '--name', name, '--datadir', datadir, '--rpc', node.rpc, '--json'])
  expect(res.code, res.stderr).toBe(0)
  return BigInt((JSON.parse(res.stdout) as { balance: string }).balance)
}

describe('peerchain wallet and tx send', () => {
  it('sends from an imported devnet key to a new wallet key and both balances move', async () => {
    const dev0 = devnetKey(0)
    const imported = await cli([
      'wallet',
      'import',
      '--name',
      'dev0',
      '--seed-hex',
      toHex(dev0.secretKey),
      '--datadir',
      datadir,
      '--json',
    ])
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout).address).toBe(formatAddress(addressFromPublicKey(dev0.publicKey)))

    const created = await cli(['wallet', 'new', '--name', 'alice', '--datadir', datadir, '--json'])
    expect(created.code, created.stderr).toBe(0)
    const alice = (JSON.parse(created.stdout) as { address: string }).address
    expect(alice).toMatch(/^pc1/)

    const listed = await cli(['wallet', 'list', '--datadir', datadir, '--json'])
    expect(JSON.parse(listed.stdout).map((k: { name: string }) => k.name)).toEqual(['alice', 'dev0'])
    const address = await cli(['wallet', 'address', '--name', 'alice', '--datadir', datadir])
    expect(address.stdout.trim()).toBe(alice)

    const senderBefore = await balanceOf('dev0')
    expect(await balanceOf('alice')).toBe(0n)

    const amount = 123_456_789n
    const fee = 1_000n
    const sent = await cli([
      'tx',
      'send',
      '--name',
      'dev0',
      '--to',
      alice,
      '--amount',
      amount.toString(),
      '--fee',
      fee.toString(),
      '--memo',
      'rent',
      '--datadir',
      datadir,
      '--rpc',
      node.rpc,
      '--wait',
      '--json',
    ])
    expect(sent.code, sent.stderr).toBe(0)
    const result = JSON.parse(sent.stdout) as { hash: string; status: string; blockHash: string; height: number }
    expect(result.status).toBe('included')
    expect(result.height).toBeGreaterThan(0)
    const lookup = await rpc<{ status: string; blockHash: string; tx: { memo: string } }>(node.rpc, 'tx_get', {
      hash: result.hash,
    })
    expect(lookup).toMatchObject({ status: 'included', blockHash: result.blockHash })
    expect(Buffer.from(lookup.tx.memo, 'hex').toString()).toBe('rent')

    expect(await balanceOf('dev0')).toBe(senderBefore - amount - fee)
    expect(await balanceOf('alice')).toBe(amount)
  })

  it('gives usage errors exit 2 and a clear message', async () => {
    const badAddress = await cli([
      'tx',
      'send',
      '--name',
      'dev0',
      '--to',
      'pc1nope',
      '--amount',
      '5',
      '--datadir',
      datadir,
    ])
    expect(badAddress.code).toBe(2)
    expect(badAddress.stderr).toMatch(/invalid address "pc1nope"/)

    const badAmount = await cli(['tx', 'send', '--to', formatAddress(new Uint8Array(20)), '--amount', '1.5'])
    expect(badAmount.code).toBe(2)
    expect(badAmount.stderr).toContain('--amount must be a whole number')

    const noPassphrase = await cli(['wallet', 'new', '--name', 'bob', '--datadir', datadir], {})
    expect(noPassphrase.code).toBe(2)
    expect(noPassphrase.stderr).toContain('PEERCHAIN_PASSPHRASE')
    expect(noPassphrase.stderr).toContain('--passphrase-file')
  })

  it('reports runtime failures with exit 1: no node, wrong passphrase', async () => {
    const noNode = await cli([
      'wallet',
      'balance',
      '--name',
      'dev0',
      '--datadir',
      datadir,
      '--rpc',
      'http://127.0.0.1:9/',
    ])
    expect(noNode.code).toBe(1)
    expect(noNode.stderr).toContain('no node at http://127.0.0.1:9/: start one with `peerchain start` or pass --rpc')

    const file = join(net.dir, 'wrong-pass.txt')
    await writeFile(file, 'not the passphrase\n')
    const wrong = await cli(
      [
        'tx',
        'send',
        '--name',
        'dev0',
        '--to',
        formatAddress(new Uint8Array(20)),
        '--amount',
        '5',
        '--datadir',
        datadir,
        '--rpc',
        node.rpc,
        '--passphrase-file',
        file,
      ],
      {},
    )
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('wrong passphrase')
  })
})
