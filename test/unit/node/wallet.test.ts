/** The node's wallet on its own: races with lock, concurrent sends, and the nonce retry. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { VerifyError } from '../../../src/ledger/errors.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import type { Tx } from '../../../src/ledger/tx.js'
import { devAccountKeys, NodeWallet, type SendContext } from '../../../src/node/wallet.js'
import { WalletError } from '../../../src/wallet/errors.js'
import { createKey, walletDir } from '../../../src/wallet/keystore.js'

const send = {
  from: 'devnet-0',
  to: addressFromPublicKey(devnetKey(1).publicKey),
  amount: 5n,
  fee: 1000n,
  memo: new Uint8Array(0),
}

function context(overrides: Partial<SendContext<Tx>> = {}): SendContext<Tx> & { submitted: Tx[] } {
  const submitted: Tx[] = []
  return {
    submitted,
    chainId: 'peerchain-devnet',
    accountNonce: async () => 0n,
    nextNonce: (_sender, accountNonce) => accountNonce + BigInt(submitted.length),
    submit: async (tx) => {
      submitted.push(tx)
      return tx
    },
    ...overrides,
  }
}

describe('NodeWallet', () => {
  it('gives concurrent sends consecutive nonces', async () => {
    const wallet = new NodeWallet('/nonexistent', devAccountKeys([0]))
    const ctx = context()
    const txs = await Promise.all([wallet.send(send, ctx), wallet.send(send, ctx), wallet.send(send, ctx)])
    expect(txs.map((tx) => tx.fields.nonce)).toEqual([0n, 1n, 2n])
  })

  it('refuses to sign with a key locked while the send waited for the account', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'peerchain-wallet-'))
    try {
      const seed = devnetKey(2).secretKey.subarray(0, 32)
      await createKey(walletDir(dataDir), 'alice', 'pass', { seed, scrypt: { N: 2 ** 10, r: 8, p: 1 } })
      const wallet = new NodeWallet(dataDir)
      await wallet.unlock('alice', 'pass')
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const ctx = context({ accountNonce: () => gate.then(() => 0n) })
      const sending = wallet.send({ ...send, from: 'alice' }, ctx)
      await new Promise((resolve) => setTimeout(resolve, 10))
      wallet.lock('alice')
      release()
      const err = await sending.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(WalletError)
      expect((err as WalletError).code).toBe('LOCKED')
      expect(ctx.submitted).toEqual([])
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('tries once more when a block took the nonce in between, and no more', async () => {
    const wallet = new NodeWallet('/nonexistent', devAccountKeys([0]))
    let calls = 0
    const ctx = context({
      submit: async (tx) => {
        calls++
        if (calls === 1) throw new VerifyError('TX_NONCE_TOO_LOW', 'a block took it')
        return tx
      },
    })
    expect((await wallet.send(send, ctx)).fields.amount).toBe(5n)
    expect(calls).toBe(2)
    const always = context({
      submit: async () => {
        throw new VerifyError('TX_NONCE_TOO_LOW', 'again')
      },
    })
    await expect(wallet.send(send, always)).rejects.toThrow(/again/)
  })
})
