/**
 * The state commitment: a Merkle-Patricia trie keyed by SHA-256(address),
 * holding each account's canonical encoding, in the node format of
 * @ethereumjs/mpt with SHA-256 as the hash. A block's account changes are
 * written as one batch (mpt/update.ts: each changed node built and hashed once);
 * proofs are made and checked by @ethereumjs/mpt over the same nodes, and give
 * inclusion and exclusion proofs for light nodes.
 *
 * Trie nodes are content-addressed and never pruned, so every past state root
 * stays readable: undoing a block only means going back to its parent's root.
 * New nodes collect in memory (`pending`) and are written by the chain inside
 * the same atomic batch as the head that references them.
 */
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import type { BatchDBOp, DB } from '@ethereumjs/util'
import { sha256 } from '../ledger/crypto.js'
import { type Account, accountFromBytes, accountToBytes } from '../ledger/state.js'
import type { BatchOp, KvStore } from '../storage/kv.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { equalBytes, fromHex, toHex } from '../util/bytes.js'
import { layout } from './layout.js'
import { EMPTY_ROOT, type TrieNode, type WriteNode } from './mpt/nodes.js'
import { type DecodedNodeCache, type NodeSource, updateTrie } from './mpt/update.js'

const hashKey = (bytes: Uint8Array): Uint8Array => sha256(bytes)

/** The trie's node database over a KvStore, with a bounded read cache and a pending write set. */
class TrieNodeStore implements DB<string, Uint8Array> {
  /** New nodes by hash hex, with their store key when made from the hash bytes (a batched update's). */
  private pending = new Map<string, { value: Uint8Array; key?: Uint8Array }>()
  private readonly cache: BoundedCache<string, Uint8Array>

  constructor(
    private readonly kv: KvStore,
    cacheMax: number,
  ) {
    this.cache = new BoundedCache(cacheMax)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const hit = this.pending.get(key)?.value ?? this.cache.get(key)
    if (hit) return hit
    const value = await this.kv.get(layout.trieNode(fromHex(key)))
    // Content-addressed: caching a node that is never committed is harmless.
    if (value) this.cache.set(key, value)
    return value
  }

  /** Encoded nodes by hash, pending writes first, then the cache, then one read of the store. */
  async getMany(hashes: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = new Array(hashes.length)
    const missing: number[] = []
    hashes.forEach((hash, i) => {
      const key = toHex(hash)
      const hit = this.pending.get(key)?.value ?? this.cache.get(key)
      if (hit) out[i] = hit
      else missing.push(i)
    })
    if (missing.length > 0) {
      const values = await this.kv.getMany(missing.map((i) => layout.trieNode(hashes[i] as Uint8Array)))
      missing.forEach((i, j) => {
        out[i] = values[j]
      })
    }
    return out
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.pending.set(key, { value })
    this.cache.set(key, value)
  }

  /** A node written by a batched update: pending until taken into the chain's batch. */
  write(hash: Uint8Array, hex: string, value: Uint8Array): void {
    this.pending.set(hex, { value, key: layout.trieNode(hash) })
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
    for (const [hex, { value, key }] of this.pending) {
      ops.push({ type: 'put', key: key ?? layout.trieNode(fromHex(hex)), value })
    }
    this.pending = new Map()
    return ops
  }

  discardWrites(): void {
    this.pending = new Map()
  }
}

export interface AccountChange {
  address: Uint8Array
  /** The address as hex, when the caller has it: the key its trie key is remembered by. */
  hex?: string
  account: Account
  /** The account's encoding, when the caller has it already (it is also the flat index's value). */
  bytes?: Uint8Array
}

/** Encoded nodes kept for proofs, which read through @ethereumjs/mpt. */
const PROOF_CACHE_NODES = 4096

/** Trie keys (SHA-256 of the address) remembered by address hex: a block's senders mostly sent before. */
const KEY_CACHE_MAX = 32_768

export class StateTrie {
  private readonly write: WriteNode = (hash, hex, bytes) => this.nodes.write(hash, hex, bytes)

  /** @ethereumjs/mpt over the same nodes, loaded on the first proof: a node that makes none never loads it. */
  private reader?: Promise<MerklePatriciaTrie>
  private readonly keys = new BoundedCache<string, Uint8Array>(KEY_CACHE_MAX)

  private constructor(
    private readonly nodes: TrieNodeStore & NodeSource,
    private readonly decoded: DecodedNodeCache,
  ) {}

  /**
   * `cacheNodesMax` decoded nodes stay in memory across updates: the upper
   * levels every block walks. `shared` replaces that cache with one shared
   * by many tries (a simulator's nodes).
   */
  static async open(kv: KvStore, cacheNodesMax = 100_000, shared?: DecodedNodeCache): Promise<StateTrie> {
    const nodes = new TrieNodeStore(kv, Math.min(cacheNodesMax, PROOF_CACHE_NODES))
    return new StateTrie(nodes, shared ?? new BoundedCache<string, TrieNode>(cacheNodesMax))
  }

  get emptyRoot(): Uint8Array {
    return EMPTY_ROOT
  }

  /** The root after writing `changes` on top of the state at `root`. New nodes stay pending. */
  async update(root: Uint8Array, changes: readonly AccountChange[]): Promise<Uint8Array> {
    const writes = changes.map(({ address, hex, account, bytes }) => ({
      key: this.keyOf(address, hex),
      value: bytes ?? accountToBytes(account),
    }))
    // An empty account (balance 0, nonce 0) encodes to no bytes, and an empty value is no
    // leaf at all: the key is removed. The batch does not remove keys, so such a rare block
    // goes through @ethereumjs/mpt one put at a time, as the rule was first written.
    if (writes.some((w) => w.value.length === 0)) {
      // A trie of its own: proofs set the shared reader's root, which would move under these puts.
      const trie = await this.newReferenceTrie()
      trie.root(root)
      // By address: @ethereumjs/mpt hashes the key itself (its delete ignores a pre-hashed key).
      for (let i = 0; i < writes.length; i++) {
        await trie.put((changes[i] as AccountChange).address, (writes[i] as { value: Uint8Array }).value)
      }
      return trie.root()
    }
    return updateTrie(root, writes, this.nodes, this.decoded, this.write)
  }

  private keyOf(address: Uint8Array, hex: string | undefined): Uint8Array {
    if (hex === undefined) return hashKey(address)
    let key = this.keys.get(hex)
    if (key === undefined) {
      key = hashKey(address)
      this.keys.set(hex, key)
    }
    return key
  }

  /** The reader proofs share (each sets its root and captures it before its first await). */
  private referenceTrie(): Promise<MerklePatriciaTrie> {
    this.reader ??= this.newReferenceTrie()
    return this.reader
  }

  private async newReferenceTrie(): Promise<MerklePatriciaTrie> {
    const { createMPT } = await import('@ethereumjs/mpt')
    return createMPT({ db: this.nodes, valueEncoding: 'view', useKeyHashing: true, useKeyHashingFunction: hashKey })
  }

  /** Nodes from the root to the account's leaf (or to where it would be). */
  async prove(root: Uint8Array, address: Uint8Array): Promise<Uint8Array[]> {
    const { createMerkleProof } = await import('@ethereumjs/mpt')
    const trie = await this.referenceTrie()
    trie.root(root)
    return createMerkleProof(trie, address)
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
  const { verifyMerkleProof } = await import('@ethereumjs/mpt')
  let value: Uint8Array | null
  try {
    value = await verifyMerkleProof(address, proof, { useKeyHashing: true, useKeyHashingFunction: hashKey })
  } catch (err) {
    throw new StateProofError(`invalid proof: ${(err as Error).message}`)
  }
  return value ? accountFromBytes(value) : undefined
}
