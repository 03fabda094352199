/**
 * Connecting and disconnecting one block against staged (uncommitted) state.
 * Both only add ops to the caller's batch; nothing is written here.
 */
import type { Block } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import { type Genesis, subsidyAt } from '../ledger/genesis.js'
import { type Account, accountToBytes, applyBlockTxs, type DirtyAccount, StateOverlay } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { equalBytes, toHex } from '../util/bytes.js'
import { readAccountBytes } from './account-bytes.js'
import type { AccountCache, StagedAccounts } from './account-cache.js'
import { StoreCorruptError } from './errors.js'
import { encodeEntry, type HeaderEntry } from './header-index.js'
import { layout } from './layout.js'
import { storedUndo } from './stored.js'
import type { AccountChange, StateTrie } from './trie.js'
import { encodeUndo, type UndoEntry } from './undo.js'

export type { StagedAccounts }

export interface StateContext {
  trie: StateTrie
  accounts: AccountCache
  genesis: Genesis
}

/** Every address a block's state transition reads. */
export function touchedAddresses(txs: readonly Tx[], miner: Uint8Array): Uint8Array[] {
  const out = [miner]
  for (const tx of txs) out.push(tx.sender, tx.fields.recipient)
  return out
}

/** The accounts a block reads, by address hex (undefined = none), and the encoding each was read from. */
export interface LoadedAccounts {
  accounts: Map<string, Account | undefined>
  /** The stored encoding of each loaded account that exists: the undo record holds these very bytes. */
  bytes: Map<string, Uint8Array>
}

/**
 * The accounts at `addresses` as the staged state sees them, loaded so the
 * synchronous state transition can read them.
 */
export async function loadAccounts(
  accounts: AccountCache,
  staged: StagedAccounts,
  addresses: readonly Uint8Array[],
): Promise<LoadedAccounts> {
  const view = new Map<string, Account | undefined>()
  const bytes = new Map<string, Uint8Array>()
  const fetch: Uint8Array[] = []
  const fetchHex: string[] = []
  for (const address of addresses) {
    const hex = toHex(address)
    if (view.has(hex)) continue
    const s = staged.get(hex)
    if (s) {
      view.set(hex, s.account)
      if (s.account && s.bytes) bytes.set(hex, s.bytes)
    } else {
      view.set(hex, undefined)
      fetch.push(address)
      fetchHex.push(hex)
    }
  }
  const found = await accounts.getMany(fetch)
  for (let i = 0; i < found.length; i++) {
    const hit = found[i]
    const hex = fetchHex[i] as string
    view.set(hex, hit?.account)
    if (hit) bytes.set(hex, hit.bytes)
  }
  return { accounts: view, bytes }
}

/** Applies `block` (child of `entry.parent`) to the staged state: checks the reward and the state root. */
export async function connectBlock(
  ctx: StateContext,
  entry: HeaderEntry,
  block: Block,
  staged: StagedAccounts,
  ops: BatchOp[],
): Promise<void> {
  const header = block.header.fields
  const loaded = await loadAccounts(ctx.accounts, staged, touchedAddresses(block.txs, header.miner))
  const overlay = new StateOverlay((hex) => loaded.accounts.get(hex))
  applyBlockTxs(overlay, block.txs, header.miner, header.reward, subsidyAt(entry.height, ctx.genesis.params))
  // Each changed account is encoded once: the trie's leaf and the flat index hold the same bytes.
  const dirty = overlay.changes()
  const changes: AccountChange[] = new Array(dirty.length)
  const undo: UndoEntry[] = new Array(dirty.length)
  for (let i = 0; i < dirty.length; i++) {
    const { address, hex, account, before } = dirty[i] as DirtyAccount
    changes[i] = { address, hex, account, bytes: accountToBytes(account) }
    undo[i] = { address, before, beforeBytes: loaded.bytes.get(hex) }
  }
  const parentRoot = (entry.parent as HeaderEntry).header.fields.stateRoot
  const root = await ctx.trie.update(parentRoot, changes)
  if (!equalBytes(root, header.stateRoot)) {
    throw new VerifyError('BLOCK_BAD_STATE_ROOT', `state root ${toHex(header.stateRoot)} != computed ${toHex(root)}`)
  }
  for (const c of changes) staged.set(c.hex as string, { address: c.address, account: c.account, bytes: c.bytes })
  ops.push({ type: 'put', key: layout.undo(block.hash), value: encodeUndo(undo) })
  ops.push({ type: 'put', key: layout.height(entry.height), value: block.hash })
  ops.push({ type: 'put', key: layout.header(block.hash), value: encodeEntry({ ...entry, status: 'valid' }) })
  const txs = block.txs
  for (let i = 0; i < txs.length; i++) {
    ops.push({ type: 'put', key: layout.txLocation((txs[i] as Tx).hash), value: txLocationValue(block.hash, i) })
  }
}

/** A tx location's value: blockHash(32) | index(4, BE). */
function txLocationValue(blockHash: Uint8Array, index: number): Uint8Array {
  const value = new Uint8Array(36)
  value.set(blockHash, 0)
  value[32] = index >>> 24
  value[33] = (index >>> 16) & 0xff
  value[34] = (index >>> 8) & 0xff
  value[35] = index & 0xff
  return value
}

/** Rolls `block` (the staged tip) back to its parent's state. */
export async function disconnectBlock(
  store: KvStore,
  block: Block,
  staged: StagedAccounts,
  ops: BatchOp[],
): Promise<void> {
  const undoBytes = await store.get(layout.undo(block.hash))
  if (!undoBytes)
    throw new StoreCorruptError(layout.undo(block.hash), `undo record of main-chain block ${block.id} is missing`)
  for (const { address, beforeBytes } of storedUndo(block.hash, undoBytes).entries()) {
    // The record holds the account's encoding: the flat index gets those very bytes back.
    const account = beforeBytes ? readAccountBytes(beforeBytes) : undefined
    staged.set(toHex(address), { address, account, bytes: beforeBytes })
  }
  ops.push({ type: 'del', key: layout.undo(block.hash) })
  ops.push({ type: 'del', key: layout.height(block.height) })
  for (const tx of block.txs) ops.push({ type: 'del', key: layout.txLocation(tx.hash) })
}

/** The flat account index's writes for the staged accounts (a deleted account is removed); fills in each missing encoding. */
export function accountOps(staged: StagedAccounts, ops: BatchOp[]): void {
  for (const entry of staged.values()) {
    const { address, account } = entry
    if (account) {
      entry.bytes ??= accountToBytes(account)
      ops.push({ type: 'put', key: layout.account(address), value: entry.bytes })
    } else ops.push({ type: 'del', key: layout.account(address) })
  }
}
