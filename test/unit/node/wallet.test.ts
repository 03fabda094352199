/** The node's wallet on its own: races with lock, concurrent sends, the nonce retry, auto-lock and passphrase guessing. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { VerifyError } from '../../../src/ledger/errors.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import type { Tx } from '../../../src/ledger/tx.js'
import { devAccountKeys, NodeWallet, type SendContext } from '../../../src/node/wallet.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { WalletError } from '../../../src/wallet/errors.js'
import { createKey, walletDir } from '../../../src/wallet/keystore.js'
import { UNLOCK_TIMEOUT_SEC_DEFAULT, UNLOCK_TIMEOUT_SEC_MAX } from '../../../src/wallet/unlock-limits.js'

/** Virtual time for the wallet's clock and timers: nothing moves until the test runs it. */
function manualTime(): { clock: SimScheduler; timers: SimScheduler } {
  const time = new SimScheduler()
  return { clock: time, timers: time }
}

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 }

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
    const wallet = new NodeWallet('/nonexistent', devAccountKeys([0]), manualTime())
    const ctx = context()
    const txs = await Promise.all([wallet.send(send, ctx), wallet.send(send, ctx), wallet.send(send, ctx)])
    expect(txs.map((tx) => tx.fields.nonce)).toEqual([0n, 1n, 2n])
  })

  it('refuses to sign with a key locked while the send waited for the account', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'peerchain-wallet-'))
    try {
      const seed = devnetKey(2).secretKey.subarray(0, 32)
      await createKey(walletDir(dataDir), 'alice', 'pass', { seed, scrypt: { N: 2 ** 10, r: 8, p: 1 } })
      const wallet = new NodeWallet(dataDir, [], manualTime())
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
    const wallet = new NodeWallet('/nonexistent', devAccountKeys([0]), manualTime())
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

describe('NodeWallet unlock timeout', () => {
  async function walletWithKey(): Promise<{ wallet: NodeWallet; time: SimScheduler; dataDir: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'peerchain-wallet-'))
    const seed = devnetKey(3).secretKey.subarray(0, 32)
    await createKey(walletDir(dataDir), 'bob', 'right', { seed, scrypt: FAST_SCRYPT })
    const time = new SimScheduler()
    return { wallet: new NodeWallet(dataDir, [], { clock: time, timers: time }), time, dataDir }
  }
  const unlockedOf = async (wallet: NodeWallet): Promise<boolean | undefined> =>
    (await wallet.list()).find((k) => k.name === 'bob')?.unlocked

  it('locks a key by itself once its timeout passes, and sends with it fail LOCKED', async () => {
    const { wallet, time, dataDir } = await walletWithKey()
    try {
      await wallet.unlock('bob', 'right', 60)
      await time.run({ untilMs: time.nowMs() + 59_999 })
      expect(await unlockedOf(wallet)).toBe(true)
      await time.run({ untilMs: time.nowMs() + 1 })
      expect(await unlockedOf(wallet)).toBe(false)
      await expect(wallet.send({ ...send, from: 'bob' }, context())).rejects.toMatchObject({ code: 'LOCKED' })
    } finally {
      wallet.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('lasts 300 s by default; unlocking again starts the time anew; a manual lock cancels the timer', async () => {
    const { wallet, time, dataDir } = await walletWithKey()
    try {
      await wallet.unlock('bob', 'right')
      await time.run({ untilMs: time.nowMs() + (UNLOCK_TIMEOUT_SEC_DEFAULT - 10) * 1000 })
      await wallet.unlock('bob', 'right', 20)
      await time.run({ untilMs: time.nowMs() + 15_000 }) // past the first unlock's 300 s
      expect(await unlockedOf(wallet)).toBe(true)
      await time.run({ untilMs: time.nowMs() + 5_000 })
      expect(await unlockedOf(wallet)).toBe(false)
      await wallet.unlock('bob', 'right', 5)
      wallet.lock('bob')
      await wallet.unlock('bob', 'right', 100)
      await time.run({ untilMs: time.nowMs() + 50_000 }) // the cancelled 5 s timer must not lock the new unlock
      expect(await unlockedOf(wallet)).toBe(true)
    } finally {
      wallet.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('refuses timeouts outside 1 s to a day', async () => {
    const { wallet, dataDir } = await walletWithKey()
    try {
      for (const bad of [0, -1, 1.5, UNLOCK_TIMEOUT_SEC_MAX + 1, Number.NaN]) {
        await expect(wallet.unlock('bob', 'right', bad)).rejects.toThrow(RangeError)
      }
      await wallet.unlock('bob', 'right', UNLOCK_TIMEOUT_SEC_MAX)
      expect(await unlockedOf(wallet)).toBe(true)
    } finally {
      wallet.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('NodeWallet wrong passphrases', () => {
  it('takes 5 wrong guesses, then refuses every try (the right passphrase too) until 10 s have passed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'peerchain-wallet-'))
    const time = new SimScheduler()
    const wallet = new NodeWallet(dataDir, [], { clock: time, timers: time })
    try {
      await createKey(walletDir(dataDir), 'carol', 'right', { scrypt: FAST_SCRYPT })
      await createKey(walletDir(dataDir), 'dave', 'right', { scrypt: FAST_SCRYPT })
      // Concurrent guesses run one at a time, so a burst cannot slip past the count.
      const guesses = await Promise.allSettled(Array.from({ length: 7 }, () => wallet.unlock('carol', 'wrong')))
      const codes = guesses.map((g) => (g.status === 'rejected' ? (g.reason as WalletError).code : 'ok'))
      expect(codes).toEqual([
        ...Array(5).fill('WRONG_PASSPHRASE'),
        'PASSPHRASE_RATE_LIMITED',
        'PASSPHRASE_RATE_LIMITED',
      ])
      await expect(wallet.unlock('carol', 'right')).rejects.toThrow(
        /too many wrong passphrases for key "carol": try again in 10 s/,
      )
      // Another key is not held back by carol's guesses.
      await wallet.unlock('dave', 'right')
      await time.run({ untilMs: time.nowMs() + 10_000 })
      await wallet.unlock('carol', 'right')
      expect((await wallet.list()).every((k) => k.unlocked)).toBe(true)
      // Right passphrases cost nothing: many in a row are never limited.
      for (let i = 0; i < 8; i++) await wallet.unlock('dave', 'right')
    } finally {
      wallet.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
