/**
 * Connecting and disconnecting one block against staged (uncommitted) state.
 * Both only add ops to the caller's batch; nothing is written here.
 */
import type { Block } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import { type Genesis, subsidyAt } from '../ledger/genesis.js'
import { type Account, accountToBytes, applyBlockTxs, StateOverlay } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { equalBytes, toHex } from '../util/bytes.js'
import { readAccountBytes } from './account-bytes.js'
import type { AccountCache, StagedAccounts } from './account-cache.js'
import { StoreCorruptError } from './errors.js'
import { encodeEntry, type HeaderEntry } from './header-index.js'
import { layout } from './layout.js'
import { storedUndo } from './stored.js'
import type { StateTrie } from './trie.js'
import { encodeUndo } from './undo.js'

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

/**
 * The accounts at `addresses` as the staged state sees them, loaded so the
 * synchronous state transition can read them.
 */
export async function loadAccounts(
  accounts: AccountCache,
  staged: StagedAccounts,
  addresses: readonly Uint8Array[],
): Promise<Map<string, Account | undefined>> {
  const view = new Map<string, Account | undefined>()
  const fetch: Uint8Array[] = []
  for (const address of addresses) {
    const hex = toHex(address)
    if (view.has(hex)) continue
    const s = staged.get(hex)
    if (s) view.set(hex, s.account)
    else {
      view.set(hex, undefined)
      fetch.push(address)
    }
  }
  const found = await accounts.getMany(fetch)
  fetch.forEach((address, i) => {
    view.set(toHex(address), found[i])
  })
  return view
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
  const view = await loadAccounts(ctx.accounts, staged, touchedAddresses(block.txs, header.miner))
  const overlay = new StateOverlay((hex) => view.get(hex))
  applyBlockTxs(overlay, block.txs, header.miner, header.reward, subsidyAt(entry.height, ctx.genesis.params))
  // Each changed account is encoded once: the trie's leaf and the flat index hold the same bytes.
  const changes = overlay.changes().map((c) => ({ ...c, bytes: accountToBytes(c.account) }))
  const parentRoot = (entry.parent as HeaderEntry).header.fields.stateRoot
  const root = await ctx.trie.update(parentRoot, changes)
  if (!equalBytes(root, header.stateRoot)) {
    throw new VerifyError('BLOCK_BAD_STATE_ROOT', `state root ${toHex(header.stateRoot)} != computed ${toHex(root)}`)
  }
  for (const c of changes) staged.set(toHex(c.address), { address: c.address, account: c.account, bytes: c.bytes })
  ops.push({ type: 'put', key: layout.undo(block.hash), value: encodeUndo(changes) })
  ops.push({ type: 'put', key: layout.height(entry.height), value: block.hash })
  ops.push({ type: 'put', key: layout.header(block.hash), value: encodeEntry({ ...entry, status: 'valid' }) })
  block.txs.forEach((tx, i) => {
    const value = new Uint8Array(36)
    value.set(block.hash, 0)
    new DataView(value.buffer).setUint32(32, i)
    ops.push({ type: 'put', key: layout.txLocation(tx.hash), value })
  })
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

/** The flat account index's writes for the staged accounts (a deleted account is removed). */
export function accountOps(staged: StagedAccounts, ops: BatchOp[]): void {
  for (const { address, account, bytes } of staged.values()) {
    ops.push(
      account
        ? { type: 'put', key: layout.account(address), value: bytes ?? accountToBytes(account) }
        : { type: 'del', key: layout.account(address) },
    )
  }
}
