/**
 * Committed accounts at the head: the flat 'a' index in the store behind a
 * bounded cache. The cache only ever holds committed values; it is updated
 * after a batch lands, never before.
 */

import { type Account, accountToBytes } from '../ledger/state.js'
import type { KvStore } from '../storage/kv.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { toHex } from '../util/bytes.js'
import { layout } from './layout.js'
import { storedAccount } from './stored.js'

/** Accounts changed by blocks not yet committed, by address hex (undefined = deleted), with their encoding when known. */
export type StagedAccounts = Map<string, { address: Uint8Array; account: Account | undefined; bytes?: Uint8Array }>

/** A committed account and the canonical encoding it is stored as. */
export interface CommittedAccount {
  account: Account
  bytes: Uint8Array
}

export class AccountCache {
  /** null: known not to exist. */
  private readonly cache: BoundedCache<string, CommittedAccount | null>

  constructor(
    private readonly store: KvStore,
    cacheMax = 200_000,
  ) {
    this.cache = new BoundedCache(cacheMax)
  }

  /** Committed accounts with their encodings; undefined where none exists. */
  async getMany(addresses: readonly Uint8Array[]): Promise<Array<CommittedAccount | undefined>> {
    const out: Array<CommittedAccount | undefined> = new Array(addresses.length)
    const missing: number[] = []
    for (let i = 0; i < addresses.length; i++) {
      const hit = this.cache.get(toHex(addresses[i] as Uint8Array))
      if (hit === undefined) missing.push(i)
      else out[i] = hit ?? undefined
    }
    if (missing.length > 0) {
      const values = await this.store.getMany(missing.map((i) => layout.account(addresses[i] as Uint8Array)))
      missing.forEach((i, j) => {
        const bytes = values[j]
        const found = bytes ? { account: storedAccount(addresses[i] as Uint8Array, bytes), bytes } : undefined
        out[i] = found
        this.cache.set(toHex(addresses[i] as Uint8Array), found ?? null)
      })
    }
    return out
  }

  /** Called after the batch holding `staged` has landed (accountOps has filled in every encoding). */
  commit(staged: StagedAccounts): void {
    for (const [hex, { account, bytes }] of staged) {
      this.cache.set(hex, account ? { account, bytes: bytes ?? accountToBytes(account) } : null)
    }
  }
}
