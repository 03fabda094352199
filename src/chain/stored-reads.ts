/**
 * The chain's reads of what is stored: blocks, their commits, accounts at the
 * head, and where a tx sits. None takes the import lock: each reads one
 * committed value (the store's batches are atomic). Chain extends this.
 */
import type { Block } from '../ledger/block.js'
import { type Account, EMPTY_ACCOUNT } from '../ledger/state.js'
import type { KvStore } from '../storage/kv.js'
import type { AccountCache } from './account-cache.js'
import type { HeaderIndex } from './header-index.js'
import { layout } from './layout.js'
import { readBlock } from './load.js'
import { storedTxLocation } from './stored.js'

export class StoredReads {
  constructor(
    private readonly store: KvStore,
    readonly index: HeaderIndex,
    protected readonly accounts: AccountCache,
  ) {}

  async getBlock(id: string): Promise<Block | undefined> {
    const entry = this.index.get(id)
    return entry ? readBlock(this.store, entry) : undefined
  }

  /** A stored block's bytes, without decoding them (for serving peers). */
  async getBlockBytes(id: string): Promise<Uint8Array | undefined> {
    const entry = this.index.get(id)
    return entry ? this.store.get(layout.block(entry.header.hash)) : undefined
  }

  async getBlockAt(height: number): Promise<Block | undefined> {
    const entry = this.index.mainAt(height)
    return entry ? readBlock(this.store, entry) : undefined
  }

  /** The commit stored with a block (proof of stake), or undefined. */
  async getCommit(id: string): Promise<Uint8Array | undefined> {
    const entry = this.index.get(id)
    return entry ? this.store.get(layout.commit(entry.header.hash)) : undefined
  }

  /** The record of the set the epoch-ending block at `height` chose (proof of stake, 'e' + height), or undefined. */
  async getEpochRecord(height: number): Promise<Uint8Array | undefined> {
    return this.store.get(layout.epoch(height))
  }

  /** Accounts at the head (an unknown address reads as an empty account). */
  async getAccounts(addresses: readonly Uint8Array[]): Promise<Account[]> {
    const found = await this.accounts.getMany(addresses)
    return found.map((a) => a?.account ?? EMPTY_ACCOUNT)
  }

  async getAccount(address: Uint8Array): Promise<Account> {
    return (await this.getAccounts([address]))[0] as Account
  }

  /** Where a main-chain transaction sits, or undefined. */
  async getTxLocation(txHash: Uint8Array): Promise<{ blockId: string; index: number } | undefined> {
    const key = layout.txLocation(txHash)
    const value = await this.store.get(key)
    return value ? storedTxLocation(key, value) : undefined
  }
}
