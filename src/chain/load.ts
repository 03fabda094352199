/** Reading the chain store: the genesis and the header index at open, blocks on demand. */
import type { EpochStaking } from '../consensus/engine.js'
import { BLOCK_VERSION_MMR, type Block, type Header } from '../ledger/block.js'
import { type Genesis, headerVersionOf } from '../ledger/genesis.js'
import { accountToBytes } from '../ledger/state.js'
import { type KvStore, prefixRange } from '../storage/kv.js'
import { equalBytes, toHex } from '../util/bytes.js'
import { ChainStoreError, StoreCorruptError } from './errors.js'
import { buildGenesisBlock, genesisAccounts, genesisCommitment } from './genesis-block.js'
import { type BlockStatus, encodeEntry, type HeaderEntry, HeaderIndex } from './header-index.js'
import { layout } from './layout.js'
import { loadMmrStates, mmrStateAfter } from './mmr-store.js'
import { storedBlock, storedEntry, storedHash } from './stored.js'
import type { StateTrie } from './trie.js'

/**
 * The genesis block of the store: written (with its state) into an empty
 * store, or read from one that holds it. The stored genesis header commits to
 * the whole genesis file, allocation included, so comparing that commitment
 * proves the same genesis without rebuilding its state. Throws
 * ChainStoreError for a store of another genesis.
 */
export async function openGenesis(
  store: KvStore,
  genesis: Genesis,
  trie: StateTrie,
  workOf: (header: Header) => bigint,
): Promise<Block> {
  const storedId = await store.get(layout.genesis)
  if (!storedId) {
    const block = await buildGenesisBlock(genesis, trie)
    await writeGenesis(store, block, genesis, workOf(block.header), trie)
    return block
  }
  storedHash(layout.genesis, storedId)
  const bytes = await store.get(layout.block(storedId))
  if (!bytes) throw new ChainStoreError(`the store names genesis ${toHex(storedId)} but does not hold it`)
  const block = storedBlock(storedId, bytes)
  if (!equalBytes(block.header.fields.parentHash, genesisCommitment(genesis))) {
    throw new ChainStoreError(
      `the store holds chain ${toHex(storedId)}, made from another genesis file: use another data directory`,
    )
  }
  return block
}

async function writeGenesis(
  store: KvStore,
  block: Block,
  genesis: Genesis,
  work: bigint,
  trie: StateTrie,
): Promise<void> {
  await store.batch([
    ...trie.takeWrites(),
    ...genesisAccounts(genesis).flatMap(({ address, account }) => [
      { type: 'put' as const, key: layout.account(address), value: accountToBytes(account) },
      ...(account.stake ? [{ type: 'put' as const, key: layout.staker(address), value: new Uint8Array(0) }] : []),
    ]),
    {
      type: 'put',
      key: layout.header(block.hash),
      value: encodeEntry({ status: 'valid', totalWork: work, header: block.header }),
    },
    { type: 'put', key: layout.block(block.hash), value: block.bytes },
    ...(headerVersionOf(genesis.params) >= BLOCK_VERSION_MMR
      ? [{ type: 'put' as const, key: layout.mmr(block.hash), value: mmrStateAfter(undefined, block.header, work) }]
      : []),
    { type: 'put', key: layout.height(0), value: block.hash },
    { type: 'put', key: layout.head, value: block.hash },
    { type: 'put', key: layout.genesis, value: block.hash },
  ])
}

/** The header index; on a version 2 chain (`withMmr`) with each entry's MMR state, stored or (if absent) recomputed. */
export async function loadIndex(store: KvStore, withMmr = false): Promise<{ index: HeaderIndex; head: HeaderEntry }> {
  const loaded: Array<{ header: Block['header']; totalWork: bigint; status: BlockStatus }> = []
  for await (const [key, value] of store.entries(prefixRange(layout.headerPrefix))) loaded.push(storedEntry(key, value))
  const states = withMmr ? await loadMmrStates(store) : undefined
  const index = HeaderIndex.fromLoaded(
    loaded,
    states &&
      ((header, totalWork, parent) =>
        states.get(header.id) ?? mmrStateAfter(parent, header, totalWork - (parent?.totalWork ?? 0n))),
  )
  const headHash = await store.get(layout.head)
  if (!headHash) throw new StoreCorruptError(layout.head, 'the store has no head pointer')
  const head = index.get(toHex(storedHash(layout.head, headHash)))
  if (!head) throw new StoreCorruptError(layout.head, `head ${toHex(headHash)} has no header entry linked to genesis`)
  index.setMain(head)
  return { index, head }
}

export async function readBlock(store: KvStore, entry: HeaderEntry): Promise<Block> {
  const key = layout.block(entry.header.hash)
  const bytes = await store.get(key)
  if (!bytes) throw new StoreCorruptError(key, `block ${entry.id} is indexed but not stored`)
  return storedBlock(entry.header.hash, bytes)
}

/** Hands every stored epoch record to the engine, in height order (proof of stake; nothing is stored otherwise). */
export async function loadEpochs(store: KvStore, staking: EpochStaking | undefined): Promise<void> {
  if (!staking) return
  for await (const [key, value] of store.entries(prefixRange(layout.epochPrefix))) {
    const height = Number(new DataView(key.buffer, key.byteOffset + 1, 8).getBigUint64(0))
    try {
      staking.recordEpoch(height, value)
    } catch (err) {
      throw new StoreCorruptError(key, `epoch record at height ${height}: ${(err as Error).message}`)
    }
  }
}
