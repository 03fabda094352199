/**
 * One batched trie update: every key of a block written at once, each node on
 * the changed paths loaded once, built once and hashed once at commit. This is
 * the same trie @ethereumjs/mpt builds one put at a time (a put there re-hashes
 * the whole path), so roots and proofs are unchanged.
 *
 * It runs in two phases. Loading walks the paths the keys take, level by level,
 * and fetches the missing nodes of a level in one `getMany`. Building then runs
 * synchronously over the loaded nodes. Keys are sorted first, so the keys under
 * one node are a contiguous range.
 *
 * Keys are fixed-length (every key of one trie has the same length), so no key
 * is a prefix of another and branches never hold values. Keys are never removed.
 */
import { equalBytes, toHex } from '../../util/bytes.js'
import { StoreCorruptError } from '../errors.js'
import { layout } from '../layout.js'
import { storedTrieNode } from '../stored.js'
import { bytesToNibbles, commonPrefixLength, compareNibbles, type Nibbles } from './nibbles.js'
import {
  type BranchNode,
  commitRoot,
  EMPTY_ROOT,
  type HashRef,
  hexOf,
  type NodeRef,
  type TrieNode,
  TrieNodeError,
  type WriteNode,
} from './nodes.js'

export interface TrieWrite {
  key: Uint8Array
  value: Uint8Array
}

/** Where encoded nodes are read from, by hash; undefined for a node not stored. */
export interface NodeSource {
  getMany(hashes: readonly Uint8Array[]): Promise<Array<Uint8Array | undefined>>
}

/** Decoded nodes shared across updates, by hash hex. Decoded nodes are immutable. */
export interface DecodedNodeCache {
  get(hex: string): TrieNode | undefined
  set(hex: string, node: TrieNode): void
}

interface Entry {
  nibbles: Nibbles
  value: Uint8Array
}

/**
 * The root after `writes` on top of the trie at `root`. Each new node of 32
 * bytes or more, and the new root, goes to `write`. Throws TrieNodeError when
 * a node on a path is missing or malformed.
 */
export async function updateTrie(
  root: Uint8Array,
  writes: readonly TrieWrite[],
  source: NodeSource,
  cache: DecodedNodeCache,
  write: WriteNode,
): Promise<Uint8Array> {
  if (writes.length === 0) return root
  const entries = sortedEntries(writes)
  const rootRef: HashRef | undefined = equalBytes(root, EMPTY_ROOT) ? undefined : { kind: 'hash', hash: root }
  const loaded = new Map<string, TrieNode>()
  const lookup = (ref: HashRef): TrieNode | undefined => {
    const hex = hexOf(ref)
    return loaded.get(hex) ?? cache.get(hex)
  }
  for (;;) {
    const missing = new Map<string, Uint8Array>()
    collectMissing(rootRef, 0, entries, 0, entries.length, lookup, missing)
    if (missing.size === 0) break
    const hashes = [...missing.values()]
    const found = await source.getMany(hashes)
    hashes.forEach((hash, i) => {
      const bytes = found[i]
      const hex = toHex(hash)
      if (!bytes) throw new StoreCorruptError(layout.trieNode(hash), `trie node ${hex} is missing`)
      const node = storedTrieNode(hash, bytes)
      loaded.set(hex, node)
      cache.set(hex, node)
    })
  }
  const resolve = (ref: NodeRef): TrieNode => {
    if (ref.kind !== 'hash') return ref
    const node = lookup(ref)
    if (!node) throw new TrieNodeError(`trie node ${hexOf(ref)} was not loaded`)
    return node
  }
  // Written nodes are cached as decoded: the next block walks the same upper levels.
  const writeAndCache: WriteNode = (hash, hex, bytes, node) => {
    cache.set(hex, node)
    write(hash, hex, bytes, node)
  }
  return commitRoot(apply(rootRef, 0, entries, 0, entries.length, resolve), writeAndCache)
}

/** The writes as nibble paths in key order; of writes to one key, the last. */
function sortedEntries(writes: readonly TrieWrite[]): Entry[] {
  const keyLength = writes[0]?.key.length
  const indexed = writes.map(({ key, value }, i) => {
    if (key.length !== keyLength || key.length === 0)
      throw new RangeError('trie keys must all have one, nonzero length')
    if (value.length === 0) throw new RangeError('a trie value must not be empty')
    return { key, value, i }
  })
  indexed.sort((a, b) => compareKeys(a.key, b.key) || a.i - b.i)
  const out: Entry[] = []
  for (let j = 0; j < indexed.length; j++) {
    const w = indexed[j] as (typeof indexed)[number]
    const next = indexed[j + 1]
    if (next && compareKeys(next.key, w.key) === 0) continue
    out.push({ nibbles: bytesToNibbles(w.key), value: w.value })
  }
  return out
}

/** Byte order of two keys of one length; a plain loop, as random keys differ in their first bytes. */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return 0
}

/** The hashes of the unloaded nodes that building would step into, one level at a time. */
function collectMissing(
  ref: NodeRef | undefined,
  depth: number,
  entries: readonly Entry[],
  lo: number,
  hi: number,
  lookup: (ref: HashRef) => TrieNode | undefined,
  missing: Map<string, Uint8Array>,
): void {
  if (!ref) return
  let node: TrieNode | undefined
  if (ref.kind === 'hash') {
    node = lookup(ref)
    if (!node) {
      missing.set(hexOf(ref), ref.hash)
      return
    }
  } else node = ref
  if (node.kind === 'extension') {
    const { path, child } = node
    const shared = sharedWithPath(path, depth, entries, lo, hi)
    if (shared === path.length) {
      collectMissing(child, depth + path.length, entries, lo, hi, lookup, missing)
      return
    }
    // Split, as apply does: the keys that still follow the path go on into the rest of it.
    const rest = path.subarray(shared + 1)
    const onward: NodeRef = rest.length > 0 ? { kind: 'extension', path: rest, child } : child
    forEachNibbleGroup(depth + shared, entries, lo, hi, (nibble, glo, ghi) => {
      if (nibble === path[shared]) collectMissing(onward, depth + shared + 1, entries, glo, ghi, lookup, missing)
    })
  } else if (node.kind === 'branch') {
    forEachNibbleGroup(depth, entries, lo, hi, (nibble, glo, ghi) => {
      collectMissing(node.children[nibble], depth + 1, entries, glo, ghi, lookup, missing)
    })
  }
}

/** The node that holds the subtree at `ref` with entries [lo, hi) written into it. */
function apply(
  ref: NodeRef | undefined,
  depth: number,
  entries: readonly Entry[],
  lo: number,
  hi: number,
  resolve: (ref: NodeRef) => TrieNode,
): TrieNode {
  if (!ref) return build(depth, entries, lo, hi)
  const node = resolve(ref)
  switch (node.kind) {
    case 'leaf': {
      const keyLength = (entries[lo] as Entry).nibbles.length
      if (depth + node.path.length !== keyLength) throw new TrieNodeError('leaf path does not end at the key length')
      const merged = withExistingLeaf(node, depth, entries, lo, hi)
      return build(depth, merged, 0, merged.length)
    }
    case 'extension': {
      const { path, child } = node
      const shared = sharedWithPath(path, depth, entries, lo, hi)
      if (shared === path.length) {
        return { kind: 'extension', path, child: apply(child, depth + path.length, entries, lo, hi, resolve) }
      }
      // The keys leave the extension after `shared` nibbles: split it at a new branch.
      const children: Array<NodeRef | undefined> = new Array(16)
      const rest = path.subarray(shared + 1)
      children[path[shared] as number] = rest.length > 0 ? { kind: 'extension', path: rest, child } : child
      const split = apply({ kind: 'branch', children, value: undefined }, depth + shared, entries, lo, hi, resolve)
      return shared > 0 ? { kind: 'extension', path: path.subarray(0, shared), child: split } : split
    }
    case 'branch': {
      if (depth >= (entries[lo] as Entry).nibbles.length) throw new TrieNodeError('branch below the key length')
      const children = node.children.slice()
      forEachNibbleGroup(depth, entries, lo, hi, (nibble, glo, ghi) => {
        children[nibble] = apply(children[nibble], depth + 1, entries, glo, ghi, resolve)
      })
      return { kind: 'branch', children, value: node.value } satisfies BranchNode
    }
  }
}

/** A fresh subtree holding entries [lo, hi), which share their first `depth` nibbles. */
function build(depth: number, entries: readonly Entry[], lo: number, hi: number): TrieNode {
  const first = entries[lo] as Entry
  if (hi - lo === 1) return { kind: 'leaf', path: first.nibbles.subarray(depth), value: first.value }
  const shared = commonPrefixLength(first.nibbles, depth, (entries[hi - 1] as Entry).nibbles, depth)
  const at = depth + shared
  const children: Array<NodeRef | undefined> = new Array(16)
  forEachNibbleGroup(at, entries, lo, hi, (nibble, glo, ghi) => {
    children[nibble] = build(at + 1, entries, glo, ghi)
  })
  const branch: BranchNode = { kind: 'branch', children, value: undefined }
  return shared > 0 ? { kind: 'extension', path: first.nibbles.subarray(depth, at), child: branch } : branch
}

/** Entries [lo, hi) plus the key an existing leaf holds, unless one of them rewrites it. */
function withExistingLeaf(
  leaf: TrieNode & { kind: 'leaf' },
  depth: number,
  entries: readonly Entry[],
  lo: number,
  hi: number,
): Entry[] {
  const prefix = (entries[lo] as Entry).nibbles.subarray(0, depth)
  const nibbles = new Uint8Array(depth + leaf.path.length)
  nibbles.set(prefix, 0)
  nibbles.set(leaf.path, depth)
  const out: Entry[] = []
  let placed = false
  for (let i = lo; i < hi; i++) {
    const entry = entries[i] as Entry
    if (!placed) {
      const order = compareNibbles(nibbles, entry.nibbles)
      if (order === 0) placed = true
      else if (order < 0) {
        out.push({ nibbles, value: leaf.value })
        placed = true
      }
    }
    out.push(entry)
  }
  if (!placed) out.push({ nibbles, value: leaf.value })
  return out
}

/**
 * How many nibbles of `path` every key in [lo, hi) continues with after `depth`.
 * The keys sharing a prefix form a contiguous run of the sorted keys, so the two ends decide.
 */
function sharedWithPath(path: Nibbles, depth: number, entries: readonly Entry[], lo: number, hi: number): number {
  const a = commonPrefixLength((entries[lo] as Entry).nibbles, depth, path, 0)
  const b = commonPrefixLength((entries[hi - 1] as Entry).nibbles, depth, path, 0)
  return Math.min(a, b)
}

/** Calls `fn` once per run of entries in [lo, hi) that share the nibble at `depth`. */
function forEachNibbleGroup(
  depth: number,
  entries: readonly Entry[],
  lo: number,
  hi: number,
  fn: (nibble: number, lo: number, hi: number) => void,
): void {
  let start = lo
  while (start < hi) {
    const nibble = (entries[start] as Entry).nibbles[depth] as number
    let end = start + 1
    while (end < hi && (entries[end] as Entry).nibbles[depth] === nibble) end++
    fn(nibble, start, end)
    start = end
  }
}
