/**
 * The three node kinds of a Merkle-Patricia trie and their RLP form, byte for
 * byte the one @ethereumjs/mpt reads and writes (with SHA-256 as the hash):
 *
 * - leaf `[hexPrefix(path, leaf), value]`;
 * - extension `[hexPrefix(path), child]`;
 * - branch `[child0 … child15, value]`, an absent child or value as empty bytes.
 *
 * A child is referenced by the hash of its encoding, or, when that encoding is
 * shorter than 32 bytes, embedded as its RLP list. Nodes are immutable: an
 * update builds new ones and leaves the old ones to other roots.
 */
import { type NestedUint8Array, RLP } from '@ethereumjs/rlp'
import { hashFromHex, sha256, sha256Hex } from '../../ledger/crypto.js'
import { toHex } from '../../util/bytes.js'
import { decodeHexPrefix, encodeHexPrefix, type Nibbles } from './nibbles.js'
import { encodeRlp } from './rlp.js'

export const HASH_LENGTH = 32
const EMPTY = new Uint8Array(0)

/** A node not loaded: only its hash is known. */
export interface HashRef {
  readonly kind: 'hash'
  readonly hash: Uint8Array
  /** The hash as hex, the key of every node map: made once, when first asked for (hexOf). */
  hex?: string
}

export function hexOf(ref: HashRef): string {
  if (ref.hex === undefined) ref.hex = toHex(ref.hash)
  return ref.hex
}

export interface LeafNode {
  readonly kind: 'leaf'
  readonly path: Nibbles
  readonly value: Uint8Array
}

export interface ExtensionNode {
  readonly kind: 'extension'
  readonly path: Nibbles
  readonly child: NodeRef
}

export interface BranchNode {
  readonly kind: 'branch'
  /** 16 entries; undefined where there is no child. */
  readonly children: ReadonlyArray<NodeRef | undefined>
  readonly value: Uint8Array | undefined
}

export type TrieNode = LeafNode | ExtensionNode | BranchNode
export type NodeRef = TrieNode | HashRef

/** A stored node that does not decode as a trie node. */
export class TrieNodeError extends Error {
  override readonly name = 'TrieNodeError'
}

type Raw = Uint8Array | NestedUint8Array

/** Decodes a node's RLP encoding. Throws TrieNodeError. */
export function decodeNode(bytes: Uint8Array): TrieNode {
  let raw: Raw
  try {
    raw = RLP.decode(bytes)
  } catch (err) {
    throw new TrieNodeError(`trie node is not RLP: ${(err as Error).message}`)
  }
  return fromRaw(raw)
}

function fromRaw(raw: Raw): TrieNode {
  if (raw instanceof Uint8Array) throw new TrieNodeError('trie node is a string, not a list')
  if (raw.length === 17) {
    const children: Array<NodeRef | undefined> = new Array(16)
    for (let i = 0; i < 16; i++) children[i] = childFromRaw(raw[i] as Raw)
    const value = raw[16] as Raw
    if (!(value instanceof Uint8Array)) throw new TrieNodeError('branch value is a list')
    return { kind: 'branch', children, value: value.length > 0 ? value : undefined }
  }
  if (raw.length === 2) {
    const [pathBytes, second] = raw as [Raw, Raw]
    const decoded = pathBytes instanceof Uint8Array ? decodeHexPrefix(pathBytes) : undefined
    if (!decoded) throw new TrieNodeError('bad hex-prefix path')
    if (decoded.leaf) {
      if (!(second instanceof Uint8Array)) throw new TrieNodeError('leaf value is a list')
      return { kind: 'leaf', path: decoded.path, value: second }
    }
    const child = childFromRaw(second)
    if (!child || decoded.path.length === 0) throw new TrieNodeError('empty extension')
    return { kind: 'extension', path: decoded.path, child }
  }
  throw new TrieNodeError(`trie node has ${raw.length} items`)
}

function childFromRaw(raw: Raw): NodeRef | undefined {
  if (raw instanceof Uint8Array) {
    if (raw.length === 0) return undefined
    if (raw.length !== HASH_LENGTH) throw new TrieNodeError(`child reference of ${raw.length} bytes`)
    return { kind: 'hash', hash: raw }
  }
  return fromRaw(raw)
}

/**
 * Called with each node written: its hash (and the hash's hex), its encoding,
 * and the node as a reader decoding those bytes would see it (children that
 * were written appear as hash references).
 */
export type WriteNode = (hash: Uint8Array, hex: string, bytes: Uint8Array, node: TrieNode) => void

interface Committed {
  /** What the parent's encoding holds: the node's hash, or its embedded list. */
  raw: Raw
  /** What the parent keeps: a hash reference, or the embedded node. */
  ref: NodeRef
}

/**
 * Encodes `ref` for its parent: a node of 32 bytes or more is hashed and
 * written, a shorter one embedded as its RLP list.
 */
function commitChild(ref: NodeRef, write: WriteNode): Committed {
  if (ref.kind === 'hash') return { raw: ref.hash, ref }
  if (ref.kind === 'leaf') {
    // Most written nodes are leaves: encoded straight into their bytes, with no RLP item tree.
    const bytes = encodeLeaf(ref.path, ref.value)
    if (bytes.length < HASH_LENGTH) return { raw: [encodeHexPrefix(ref.path, true), ref.value], ref }
    return written(bytes, ref, write)
  }
  const { raw, node } = commitNode(ref, write)
  const bytes = encodeRlp(raw)
  if (bytes.length < HASH_LENGTH) return { raw, ref: node }
  return written(bytes, node, write)
}

/** Hashes and writes a node of 32 bytes or more; its parent keeps the hash. */
function written(bytes: Uint8Array, node: TrieNode, write: WriteNode): Committed {
  // The hex (every node map's key) comes straight from the hash function, the bytes from the hex.
  const hex = sha256Hex(bytes)
  const hash = hashFromHex(hex)
  write(hash, hex, bytes, node)
  return { raw: hash, ref: { kind: 'hash', hash, hex } }
}

/** RLP length of a string of `length` bytes whose first byte is `first`, header included. */
function stringLength(length: number, first: number): number {
  if (length === 1 && first < 0x80) return 1
  return length <= 55 ? 1 + length : 2 + length // values and paths here are far below 256 bytes
}

/** Writes the RLP header of a string or list (`base` 0x80 or 0xc0) with a payload under 256 bytes. */
function writeShortHeader(out: Uint8Array, at: number, payload: number, base: number): number {
  if (payload <= 55) {
    out[at] = base + payload
    return at + 1
  }
  out[at] = base + 56
  out[at + 1] = payload
  return at + 2
}

/** A leaf's encoding, `[hexPrefix(path, leaf), value]`, the bytes encodeRlp gives for that list. */
export function encodeLeaf(path: Nibbles, value: Uint8Array): Uint8Array {
  if (value.length > 200) return encodeRlp([encodeHexPrefix(path, true), value])
  const odd = path.length & 1
  const pathBytes = 1 + (path.length >> 1)
  const firstPathByte = odd ? 0x30 | (path[0] as number) : 0x20
  const pathLength = stringLength(pathBytes, firstPathByte)
  const valueLength = stringLength(value.length, value[0] ?? 0)
  const payload = pathLength + valueLength
  const out = new Uint8Array((payload <= 55 ? 1 : 2) + payload)
  let at = writeShortHeader(out, 0, payload, 0xc0)
  if (pathLength > 1) at = writeShortHeader(out, at, pathBytes, 0x80)
  out[at++] = firstPathByte
  for (let i = odd; i < path.length; i += 2) out[at++] = ((path[i] as number) << 4) | (path[i + 1] as number)
  if (valueLength > 1 || value.length === 0) at = writeShortHeader(out, at, value.length, 0x80)
  out.set(value, at)
  return out
}

/** The root's hash: the root node is always hashed and written, whatever its size. */
export function commitRoot(root: TrieNode, write: WriteNode): Uint8Array {
  const { raw, node } = commitNode(root, write)
  const bytes = encodeRlp(raw)
  const hex = sha256Hex(bytes)
  const hash = hashFromHex(hex)
  write(hash, hex, bytes, node)
  return hash
}

function commitNode(node: TrieNode, write: WriteNode): { raw: NestedUint8Array; node: TrieNode } {
  switch (node.kind) {
    case 'leaf':
      return { raw: [encodeHexPrefix(node.path, true), node.value], node }
    case 'extension': {
      const child = commitChild(node.child, write)
      return {
        raw: [encodeHexPrefix(node.path, false), child.raw],
        node: { kind: 'extension', path: node.path, child: child.ref },
      }
    }
    case 'branch': {
      const raw: Raw[] = new Array(17)
      const children: Array<NodeRef | undefined> = new Array(16)
      for (let i = 0; i < 16; i++) {
        const child = node.children[i]
        if (child) {
          const committed = commitChild(child, write)
          raw[i] = committed.raw
          children[i] = committed.ref
        } else raw[i] = EMPTY
      }
      raw[16] = node.value ?? EMPTY
      return { raw: raw as NestedUint8Array, node: { kind: 'branch', children, value: node.value } }
    }
  }
}

/** The root of the trie with no keys: the hash of the empty string's RLP. */
export const EMPTY_ROOT: Uint8Array = sha256(encodeRlp(EMPTY))
