/**
 * The state commitment: a Merkle-Patricia trie (@ethereumjs/mpt) keyed by
 * SHA-256(address), holding each account's canonical encoding. It yields
 * inclusion and exclusion proofs for light nodes.
 *
 * Trie nodes are content-addressed and never pruned, so every past state root
 * stays readable: undoing a block only means going back to its parent's root.
 * New nodes collect in memory (`pending`) and are written by the chain inside
 * the same atomic batch as the head that references them.
 */
import { createMerkleProof, createMPT, type MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt'
import type { BatchDBOp, DB } from '@ethereumjs/util'
import { sha256 } from '../ledger/crypto.js'
import { type Account, accountFromBytes, accountToBytes } from '../ledger/state.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { equalBytes, fromHex } from '../util/bytes.js'
import { layout } from './layout.js'

const hashKey = (bytes: Uint8Array): Uint8Array => sha256(bytes)

/** The trie's node database over a KvStore, with a bounded read cache and a pending write set. */
class TrieNodeStore implements DB<string, Uint8Array> {
  private pending = new Map<string, Uint8Array>()
  private readonly cache: BoundedCache<string, Uint8Array>

  constructor(
    private readonly kv: KvStore,
    cacheMax: number,
  ) {
    this.cache = new BoundedCache(cacheMax)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const hit = this.pending.get(key) ?? this.cache.get(key)
    if (hit) return hit
    const value = await this.kv.get(layout.trieNode(fromHex(key)))
    // Content-addressed: caching a node that is never committed is harmless.
    if (value) this.cache.set(key, value)
    return value
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.pending.set(key, value)
    this.cache.set(key, value)
  }

  /** Nodes are shared by many roots and never pruned. */
  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value)
  }

  shallowCopy(): DB<string, Uint8Array> {
    return this
  }

  async open(): Promise<void> {}

  takeWrites(): BatchOp[] {
    const ops: BatchOp[] = []
    for (const [key, value] of this.pending) ops.push({ type: 'put', key: layout.trieNode(fromHex(key)), value })
    this.pending = new Map()
    return ops
  }

  discardWrites(): void {
    this.pending = new Map()
  }
}

export interface AccountChange {
  address: Uint8Array
  account: Account
}

export class StateTrie {
  private constructor(
    private readonly trie: MerklePatriciaTrie,
    private readonly nodes: TrieNodeStore,
  ) {}

  static async open(kv: KvStore, cacheNodesMax = 200_000): Promise<StateTrie> {
    const nodes = new TrieNodeStore(kv, cacheNodesMax)
    const trie = await createMPT({
      db: nodes,
      valueEncoding: 'view',
      useKeyHashing: true,
      useKeyHashingFunction: hashKey,
    })
    return new StateTrie(trie, nodes)
  }

  get emptyRoot(): Uint8Array {
    return this.trie.EMPTY_TRIE_ROOT
  }

  /** The root after writing `changes` on top of the state at `root`. New nodes stay pending. */
  async update(root: Uint8Array, changes: readonly AccountChange[]): Promise<Uint8Array> {
    this.trie.root(root)
    for (const { address, account } of changes) await this.trie.put(address, accountToBytes(account))
    return this.trie.root()
  }

  async getAccount(root: Uint8Array, address: Uint8Array): Promise<Account | undefined> {
    this.trie.root(root)
    const value = await this.trie.get(address)
    return value ? accountFromBytes(value) : undefined
  }

  /** Nodes from the root to the account's leaf (or to where it would be). */
  async prove(root: Uint8Array, address: Uint8Array): Promise<Uint8Array[]> {
    this.trie.root(root)
    return createMerkleProof(this.trie, address)
  }

  /** Node writes made since the last take, as store ops for the caller's batch. */
  takeWrites(): BatchOp[] {
    return this.nodes.takeWrites()
  }

  discardWrites(): void {
    this.nodes.discardWrites()
  }
}

export class StateProofError extends Error {
  override readonly name = 'StateProofError'
}

/**
 * Checks a proof against a state root: the account it proves, or undefined
 * for a valid proof that the account does not exist. Throws StateProofError.
 */
export async function verifyAccountProof(
  root: Uint8Array,
  address: Uint8Array,
  proof: Uint8Array[],
): Promise<Account | undefined> {
  const first = proof[0]
  if (!first || !equalBytes(sha256(first), root)) throw new StateProofError('proof does not start at the state root')
  let value: Uint8Array | null
  try {
    value = await verifyMerkleProof(address, proof, { useKeyHashing: true, useKeyHashingFunction: hashKey })
  } catch (err) {
    throw new StateProofError(`invalid proof: ${(err as Error).message}`)
  }
  return value ? accountFromBytes(value) : undefined
}
