/**
 * The wallet a node holds for its dashboard and `wallet_*` RPC calls: keys of
 * the data directory's keystore, unlocked into memory by passphrase (never
 * written anywhere in clear), plus built-in devnet keys when asked for
 * (`--dev-accounts`, like geth's --dev account). Sends are serialised so two
 * in a row take consecutive nonces.
 *
 * An unlock lasts `timeoutSec` (default 300 s, at most a day), then the key
 * locks itself. Unlocks run one at a time (each scrypt derivation holds
 * ~128 MiB), and wrong passphrases are rate-limited per key name: a burst of
 * 5, then one every 10 s, so a caller holding the API token still cannot
 * guess at speed.
 */
import { addressFromPublicKey, formatAddress } from '../ledger/address.js'
import type { KeyPair } from '../ledger/crypto.js'
import { isVerifyError } from '../ledger/errors.js'
import { devnetKey } from '../ledger/genesis.js'
import { Tx } from '../ledger/tx.js'
import { toHex } from '../util/bytes.js'
import type { Clock } from '../util/clock.js'
import type { Timers } from '../util/timers.js'
import { KeyedBuckets } from '../util/token-bucket.js'
import { WalletError } from '../wallet/errors.js'
import { listKeys, unlockKey, walletDir } from '../wallet/keystore.js'
import { UNLOCK_TIMEOUT_SEC_DEFAULT, UNLOCK_TIMEOUT_SEC_MAX, WRONG_PASSPHRASE_RATE } from '../wallet/unlock-limits.js'

export interface WalletKeyState {
  name: string
  address: string
  unlocked: boolean
}

export interface SendRequest {
  /** A key name. */
  from: string
  to: Uint8Array
  amount: bigint
  fee: bigint
  memo: Uint8Array
}

/** What a send needs from the node. */
export interface SendContext<R> {
  chainId: string
  /** The account nonce at the head. */
  accountNonce(address: Uint8Array): Promise<bigint>
  /** The first nonce from the account nonce with no tx of the sender (address, hex) pending. */
  nextNonce(senderHex: string, accountNonce: bigint): bigint
  submit(tx: Tx): Promise<R>
}

export const devAccountName = (index: number): string => `devnet-${index}`

/** Key names whose wrong-passphrase count is kept (the oldest refilled ones go first). */
const RATE_KEYS_MAX = 1_000

export interface WalletDeps {
  /** The wrong-passphrase rate's clock. */
  clock: Clock
  /** Auto-lock timers. */
  timers: Timers
}

/** The built-in devnet accounts' keys (public knowledge: their seeds derive from their index), by wallet name. */
export function devAccountKeys(indexes: readonly number[]): Array<[string, KeyPair]> {
  return indexes.map((i) => [devAccountName(i), devnetKey(i)])
}

export class NodeWallet {
  private readonly unlocked = new Map<string, KeyPair>()
  private readonly builtIn = new Set<string>()
  private readonly lockTimers = new Map<string, unknown>()
  private readonly wrongPassphrases: KeyedBuckets<string>
  private sending: Promise<unknown> = Promise.resolve()
  private unlocking: Promise<unknown> = Promise.resolve()

  /** `builtIn`: keys held unlocked from the start and never written anywhere (see `devAccountKeys`). */
  constructor(
    private readonly dataDir: string,
    builtIn: Iterable<readonly [string, KeyPair]>,
    private readonly deps: WalletDeps,
  ) {
    this.wrongPassphrases = new KeyedBuckets(WRONG_PASSPHRASE_RATE, deps.clock, RATE_KEYS_MAX)
    for (const [name, key] of builtIn) {
      this.builtIn.add(name)
      this.unlocked.set(name, key)
    }
  }

  /** The keystore's keys, then the built-in ones. A corrupt key file is skipped, not fatal. */
  async list(): Promise<WalletKeyState[]> {
    const stored = await listKeys(walletDir(this.dataDir))
    const keys = stored.map(({ name, address }) => ({ name, address, unlocked: this.unlocked.has(name) }))
    for (const name of this.builtIn) {
      const key = this.unlocked.get(name) as KeyPair
      keys.push({ name, address: formatAddress(addressFromPublicKey(key.publicKey)), unlocked: true })
    }
    return keys
  }

  /**
   * Decrypts a keystore key into memory for `timeoutSec` (1 to
   * UNLOCK_TIMEOUT_SEC_MAX); unlocking an unlocked key starts its time anew.
   * WRONG_PASSPHRASE, NOT_FOUND as the keystore throws them;
   * PASSPHRASE_RATE_LIMITED after too many wrong ones.
   */
  unlock(name: string, passphrase: string, timeoutSec = UNLOCK_TIMEOUT_SEC_DEFAULT): Promise<WalletKeyState> {
    if (!Number.isInteger(timeoutSec) || timeoutSec < 1 || timeoutSec > UNLOCK_TIMEOUT_SEC_MAX) {
      return Promise.reject(new RangeError(`an unlock lasts 1-${UNLOCK_TIMEOUT_SEC_MAX} s, got ${timeoutSec}`))
    }
    const run = this.unlocking.then(() => this.unlockNow(name, passphrase, timeoutSec))
    this.unlocking = run.catch(() => undefined)
    return run
  }

  private async unlockNow(name: string, passphrase: string, timeoutSec: number): Promise<WalletKeyState> {
    if (this.builtIn.has(name)) return this.state(name)
    const guesses = this.wrongPassphrases.get(name)
    if (guesses.available() < 1) {
      const waitSec = Math.ceil(guesses.waitMs(1) / 1000)
      throw new WalletError(
        'PASSPHRASE_RATE_LIMITED',
        `too many wrong passphrases for key "${name}": try again in ${waitSec} s`,
      )
    }
    let key: KeyPair
    try {
      key = await unlockKey(walletDir(this.dataDir), name, passphrase)
    } catch (err) {
      if (err instanceof WalletError && err.code === 'WRONG_PASSPHRASE') guesses.charge(1)
      throw err
    }
    this.forget(name)
    this.unlocked.set(name, key)
    this.lockTimers.set(
      name,
      this.deps.timers.setTimeout(() => this.forget(name), timeoutSec * 1000),
    )
    return this.state(name)
  }

  /** Forgets an unlocked key (its secret bytes are zeroed). Built-in devnet keys stay. */
  lock(name: string): void {
    if (this.builtIn.has(name)) {
      throw new WalletError('BUILT_IN', `"${name}" is a built-in devnet key: it stays unlocked while the node runs`)
    }
    this.forget(name)
  }

  /** Signs a transfer with an unlocked key at its next free nonce and submits it. LOCKED when it is not unlocked. */
  send<R>(request: SendRequest, ctx: SendContext<R>): Promise<R> {
    const run = this.sending.then(() => this.signAndSubmit<R>(request, ctx))
    this.sending = run.catch(() => undefined)
    return run
  }

  /** Zeroes every unlocked secret. */
  close(): void {
    for (const timer of this.lockTimers.values()) this.deps.timers.clearTimeout(timer)
    this.lockTimers.clear()
    for (const key of this.unlocked.values()) key.secretKey.fill(0)
    this.unlocked.clear()
  }

  /** Zeroes and drops a keystore key, and its auto-lock timer. */
  private forget(name: string): void {
    const timer = this.lockTimers.get(name)
    if (timer !== undefined) this.deps.timers.clearTimeout(timer)
    this.lockTimers.delete(name)
    this.unlocked.get(name)?.secretKey.fill(0)
    this.unlocked.delete(name)
  }

  private async signAndSubmit<R>(request: SendRequest, ctx: SendContext<R>): Promise<R> {
    try {
      return await this.signAndSubmitOnce(request, ctx)
    } catch (err) {
      // A block with this sender's last tx may have landed between reading the account and the pool: once more.
      if (isVerifyError(err) && err.code === 'TX_NONCE_TOO_LOW') return this.signAndSubmitOnce(request, ctx)
      throw err
    }
  }

  private async signAndSubmitOnce<R>(request: SendRequest, ctx: SendContext<R>): Promise<R> {
    const sender = addressFromPublicKey((await this.unlockedKey(request.from)).publicKey)
    const accountNonce = await ctx.accountNonce(sender)
    // Read the key again after the await: a lock in between zeroed the one we had.
    const key = await this.unlockedKey(request.from)
    const nonce = ctx.nextNonce(toHex(sender), accountNonce)
    const tx = Tx.create(
      {
        chainId: ctx.chainId,
        recipient: request.to,
        amount: request.amount,
        fee: request.fee,
        nonce,
        memo: request.memo,
      },
      key,
    )
    return ctx.submit(tx)
  }

  private async unlockedKey(name: string): Promise<KeyPair> {
    const key = this.unlocked.get(name)
    if (key) return key
    const known = (await this.list()).some((k) => k.name === name)
    if (!known) throw new WalletError('NOT_FOUND', `no key named "${name}" in this node's wallet`)
    throw new WalletError('LOCKED', `key "${name}" is locked: unlock it with its passphrase first`)
  }

  private state(name: string): WalletKeyState {
    const key = this.unlocked.get(name) as KeyPair
    return { name, address: formatAddress(addressFromPublicKey(key.publicKey)), unlocked: true }
  }
}
