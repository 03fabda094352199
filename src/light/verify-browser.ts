/**
 * Light verification that runs in a web page, and the one implementation of
 * the account and tx proof checks (verify.ts's verifyAccountProof and
 * verifyTxProof call these): SHA-256 from @noble/hashes and no Buffer and no node:*
 * import anywhere below it, so the dashboard bundles it (Vite) and checks
 * what its node sends in the page itself. The decoders it uses
 * (ledger/codec: the strict header, tx and account readers, protons-runtime)
 * are browser-safe already; what verify.ts reaches through ledger/crypto.ts,
 * ledger/merkle.ts and util/bytes.ts (node:crypto, Buffer) is done here over
 * plain Uint8Arrays.
 *
 * The same answers as verify.ts on the same inputs, failure codes included:
 * test/unit/light/verify-browser.test.ts holds the two together (honest and
 * tampered proofs), and a bundle of this file for the browser must load and
 * answer with no Buffer in scope.
 *
 * On top of the two checks, `checkAccountAnswer` and `checkTxAnswer` take the
 * JSON the node's `light_accountProof` and `light_txProof` answer (hex
 * strings) and the block hash the page trusts (its own `chain_head` or
 * `chain_getBlock`): the header in the answer must be that block's, or the
 * check fails PROOF_WRONG_HEADER.
 */
import { type NestedUint8Array, RLP } from '@ethereumjs/rlp'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { bech32m } from '@scure/base'
import type { AccountProofJson, TxProofJson } from '../api/json.js'
import { decodeHexPrefix } from '../chain/mpt/nibbles.js'
import { encodeRlp } from '../chain/mpt/rlp.js'
import { decodeAccount, decodeHeader, decodeTx, type HeaderFields, type TxFields } from '../ledger/codec/codec.js'
import { ADDRESS_BYTES, HASH_BYTES } from '../ledger/limits.js'
import type { Account } from '../ledger/state.js'
import { LIGHT_PROOF_NODE_BYTES_MAX, LIGHT_PROOF_NODES_MAX, LIGHT_TX_PATH_MAX } from './limits.js'
import type { LightProofCode } from './verify.js'

export type { LightProofCode }

/** A proof that does not hold; `code` is verify.ts's LightProofError code for the same failure. */
export class BrowserProofError extends Error {
  override readonly name = 'BrowserProofError'
  constructor(
    readonly code: LightProofCode,
    /** The message without its code. */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`)
  }
}

const fail = (code: LightProofCode, message: string): never => {
  throw new BrowserProofError(code, message)
}

// --- bytes, without Buffer ---

/** SHA-256 of the parts, joined. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return nobleSha256(parts[0] as Uint8Array)
  let total = 0
  for (const p of parts) total += p.byteLength
  const joined = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    joined.set(p, at)
    at += p.byteLength
  }
  return nobleSha256(joined)
}

const HEX_DIGITS = '0123456789abcdef'

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += (HEX_DIGITS[b >> 4] as string) + (HEX_DIGITS[b & 0x0f] as string)
  return out
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/

/** Strict lower-case hex, as util/bytes.ts fromHex; throws TypeError otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new TypeError('expected lower-case hex with an even number of digits')
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** The 20 bytes of a `pc1…` address (bech32m, as ledger/address.ts parses it); throws TypeError otherwise. */
export function addressBytes(text: string): Uint8Array {
  let decoded: { prefix: string; words: number[] }
  try {
    decoded = bech32m.decode(text as `${string}1${string}`, 90)
  } catch (err) {
    throw new TypeError(`invalid address "${text}": ${(err as Error).message}`)
  }
  if (decoded.prefix !== 'pc') throw new TypeError(`invalid address "${text}": prefix must be "pc"`)
  const bytes = bech32m.fromWords(decoded.words)
  if (bytes.byteLength !== ADDRESS_BYTES) throw new TypeError(`invalid address "${text}": not ${ADDRESS_BYTES} bytes`)
  return bytes
}

// --- headers ---

/** A decoded header with its hash: what the proofs are checked against. */
export interface ProofHeader {
  readonly fields: Readonly<HeaderFields>
  readonly bytes: Uint8Array
  readonly hash: Uint8Array
  /** The hash in hex: the block id. */
  readonly id: string
  readonly height: number
}

/** Strict decode of a header's bytes (codec.ts decodeHeader); throws the codec's DecodeError. */
export function headerFromBytes(bytes: Uint8Array): ProofHeader {
  const fields = decodeHeader(bytes)
  const hash = sha256(bytes)
  return { fields, bytes, hash, id: toHex(hash), height: Number(fields.height) }
}

// --- account proofs ---

type Raw = Uint8Array | NestedUint8Array

function decodeRaw(bytes: Uint8Array, at: number): Raw {
  try {
    return RLP.decode(bytes)
  } catch (err) {
    return fail('PROOF_BAD_NODE', `proof node ${at} is not RLP: ${(err as Error).message}`)
  }
}

function keyNibbles(address: Uint8Array): Uint8Array {
  const key = sha256(address)
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = (key[i] as number) >> 4
    out[2 * i + 1] = (key[i] as number) & 0x0f
  }
  return out
}

function samePath(key: Uint8Array, from: number, path: Uint8Array): boolean {
  if (from + path.length > key.length) return false
  for (let i = 0; i < path.length; i++) if (key[from + i] !== path[i]) return false
  return true
}

function walkProof(root: Uint8Array, address: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | undefined {
  const key = keyNibbles(address)
  let next = 0
  const fetch = (hash: Uint8Array): Raw => {
    const bytes = proof[next]
    if (bytes === undefined) return fail('PROOF_TRUNCATED', `proof ends before node ${next} of the path`)
    if (!equalBytes(sha256(bytes), hash)) {
      return next === 0
        ? fail('PROOF_BAD_ROOT', 'the first proof node is not the state root')
        : fail('PROOF_BAD_HASH', `proof node ${next} is not the node its parent names`)
    }
    return decodeRaw(bytes, next++)
  }
  const done = (value: Uint8Array | undefined): Uint8Array | undefined => {
    if (next !== proof.length) fail('PROOF_EXTRA_NODES', `${proof.length - next} proof nodes past the path`)
    return value
  }
  let node = fetch(root)
  let pos = 0
  for (;;) {
    if (node instanceof Uint8Array) return fail('PROOF_BAD_NODE', `node ${next - 1} is a string, not a list`)
    let child: Raw
    if (node.length === 17) {
      if (pos === key.length) {
        const value = node[16] as Raw
        if (!(value instanceof Uint8Array)) return fail('PROOF_BAD_NODE', 'a branch value is a list')
        return done(value.length > 0 ? value : undefined)
      }
      child = node[key[pos] as number] as Raw
      pos++
    } else if (node.length === 2) {
      const [pathBytes, second] = node as [Raw, Raw]
      const hp = pathBytes instanceof Uint8Array ? decodeHexPrefix(pathBytes) : undefined
      if (!hp) return fail('PROOF_BAD_NODE', 'a bad hex-prefix path')
      const matches = samePath(key, pos, hp.path)
      if (hp.leaf) {
        if (!(second instanceof Uint8Array)) return fail('PROOF_BAD_NODE', 'a leaf value is a list')
        return done(matches && pos + hp.path.length === key.length ? second : undefined)
      }
      if (hp.path.length === 0) return fail('PROOF_BAD_NODE', 'an empty extension')
      if (!matches) return done(undefined)
      pos += hp.path.length
      child = second
    } else return fail('PROOF_BAD_NODE', `a node of ${node.length} items`)

    if (child instanceof Uint8Array) {
      if (child.length === 0) return done(undefined)
      if (child.length !== HASH_BYTES) return fail('PROOF_BAD_NODE', `a child reference of ${child.length} bytes`)
      node = fetch(child)
    } else {
      const listed = proof[next]
      if (listed !== undefined && listed.length < HASH_BYTES && equalBytes(listed, encodeRlp(child))) next++
      node = child
    }
  }
}

/**
 * The account `proof` shows at `header`'s state root, or undefined for a
 * valid proof that there is none. The proof must be exactly the nodes of the
 * path to the key of `address` (SHA-256 of it, as chain/trie.ts keys
 * accounts), in order from the root, as @ethereumjs/mpt's createMerkleProof
 * lists them (a node embedded in its parent may be listed again on its own).
 * With `claimedAccount` (an encoded account, empty for none, as the server
 * sent it) the claim must be what is proven.
 */
export function verifyAccountProof(
  header: Pick<ProofHeader, 'fields'>,
  address: Uint8Array,
  proof: readonly Uint8Array[],
  claimedAccount?: Uint8Array,
): Account | undefined {
  if (address.byteLength !== ADDRESS_BYTES) throw new RangeError(`an address is ${ADDRESS_BYTES} bytes`)
  if (proof.length > LIGHT_PROOF_NODES_MAX) fail('PROOF_TOO_LARGE', `${proof.length} nodes > ${LIGHT_PROOF_NODES_MAX}`)
  for (const node of proof) {
    if (node.byteLength > LIGHT_PROOF_NODE_BYTES_MAX)
      fail('PROOF_TOO_LARGE', `a node of ${node.byteLength} bytes > ${LIGHT_PROOF_NODE_BYTES_MAX}`)
  }
  const value = walkProof(header.fields.stateRoot, address, proof)
  let account: Account | undefined
  if (value !== undefined) {
    try {
      account = decodeAccount(value)
    } catch (err) {
      fail('PROOF_BAD_NODE', `the leaf is not an account: ${(err as Error).message}`)
    }
  }
  if (claimedAccount !== undefined) {
    const proven = value ?? new Uint8Array(0)
    if (!equalBytes(proven, claimedAccount)) {
      const shown = account ? `balance ${account.balance}, nonce ${account.nonce}` : 'none'
      fail('PROOF_ACCOUNT_MISMATCH', `the account claimed is not the one the proof shows (${shown})`)
    }
  }
  return account
}

// --- tx proofs (ledger/merkle.ts verifyMerkleProof: RFC 6962 shape, sized root) ---

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])
const SIZED = new Uint8Array([2])

function split(n: number): number {
  let k = 1
  while (k << 1 < n) k <<= 1
  return k
}

/** ledger/merkle.ts verifyMerkleProof: true when `proof` shows `leaf` at `index` of `size` leaves under `root`. */
export function verifyMerkleProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= size) return false
  let used = proof.length
  const up = (from: number, to: number): Uint8Array | null => {
    if (to - from === 1) return sha256(LEAF, leaf)
    const k = split(to - from)
    const sibling = proof[--used]
    if (sibling === undefined) return null
    if (index < from + k) {
      const left = up(from, from + k)
      return left && sha256(NODE, left, sibling)
    }
    const right = up(from + k, to)
    return right && sha256(NODE, sibling, right)
  }
  if (size > 0xffffffff) return false
  const got = up(0, size)
  if (got === null || used !== 0) return false
  const count = new Uint8Array(4)
  new DataView(count.buffer).setUint32(0, size)
  return equalBytes(sha256(SIZED, count, got), root)
}

/** A tx proven in a block: its hash (sha256 of its bytes, the tx id) and fields. */
export interface ProvenTx {
  hash: Uint8Array
  id: string
  fields: TxFields
}

/** The tx `txBytes` encode, proven at `index` of the `txCount` txs under `header`'s txRoot by `path` (leaf to root). */
export function verifyTxProof(
  header: Pick<ProofHeader, 'fields' | 'id'>,
  txBytes: Uint8Array,
  index: number,
  txCount: number,
  path: readonly Uint8Array[],
): ProvenTx {
  if (path.length > LIGHT_TX_PATH_MAX) fail('PROOF_TOO_LARGE', `a path of ${path.length} > ${LIGHT_TX_PATH_MAX}`)
  if (path.some((h) => h.byteLength !== HASH_BYTES)) fail('PROOF_BAD_NODE', 'a path hash is not 32 bytes')
  let fields: TxFields
  try {
    fields = decodeTx(txBytes)
  } catch (err) {
    return fail('TX_MALFORMED', (err as Error).message)
  }
  const hash = sha256(txBytes)
  const id = toHex(hash)
  if (!verifyMerkleProof(hash, index, txCount, path, header.fields.txRoot)) {
    fail('TX_NOT_IN_BLOCK', `tx ${id} is not at ${index} of ${txCount} under the txRoot of ${header.id}`)
  }
  return { hash, id, fields }
}

// --- the node's JSON answers, against a block the page trusts ---

/** What `light_accountProof` answers (docs/API.md): hex strings. */
export type AccountProofAnswer = AccountProofJson

/** What `light_txProof` answers (docs/API.md): hex strings. */
export type TxProofAnswer = TxProofJson

export type Checked<T> =
  | ({ ok: true; header: { hash: string; height: number } } & T)
  | { ok: false; code: LightProofCode | 'MALFORMED'; message: string }

function hexList(values: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(values)) throw new TypeError(`${what} is not a list`)
  return values.map((v) => fromHex(v as string))
}

/** The header of an answer, which must be the block the page trusts. */
function trustedHeader(headerHex: string, trustedHash: string): ProofHeader {
  let header: ProofHeader
  try {
    header = headerFromBytes(fromHex(headerHex))
  } catch (err) {
    return fail('PROOF_WRONG_HEADER', `the header sent does not decode: ${(err as Error).message}`)
  }
  if (header.id !== trustedHash) {
    fail('PROOF_WRONG_HEADER', `the header sent is block ${header.id}, not the trusted ${trustedHash}`)
  }
  return header
}

function caught(err: unknown): { ok: false; code: LightProofCode | 'MALFORMED'; message: string } {
  if (err instanceof BrowserProofError) return { ok: false, code: err.code, message: err.message }
  return { ok: false, code: 'MALFORMED', message: `MALFORMED: ${err instanceof Error ? err.message : String(err)}` }
}

/**
 * Checks a `light_accountProof` answer for `address` against the block
 * `trustedHash` (hex): the proof from that header's stateRoot, and that the
 * account the node claims is the one proven. Never throws.
 */
export function checkAccountAnswer(
  answer: AccountProofAnswer,
  address: string,
  trustedHash: string,
): Checked<{ account: Account | undefined }> {
  try {
    const header = trustedHeader(answer.header, trustedHash)
    const proof = hexList(answer.proof, 'proof')
    const claimed = fromHex(answer.account)
    const account = verifyAccountProof(header, addressBytes(address), proof, claimed)
    return { ok: true, header: { hash: header.id, height: header.height }, account }
  } catch (err) {
    return caught(err)
  }
}

/**
 * Checks a `light_txProof` answer for tx `txHash` (hex) against the block
 * `trustedHash`: the tx's Merkle path to that header's txRoot, and that the
 * tx proven is the one asked for. Never throws.
 */
export function checkTxAnswer(answer: TxProofAnswer, txHash: string, trustedHash: string): Checked<{ tx: ProvenTx }> {
  try {
    const header = trustedHeader(answer.header, trustedHash)
    const tx = verifyTxProof(header, fromHex(answer.tx), answer.index, answer.txCount, hexList(answer.path, 'path'))
    if (tx.id !== txHash) fail('TX_WRONG_TX', `proved ${tx.id}, not the tx asked for`)
    return { ok: true, header: { hash: header.id, height: header.height }, tx }
  } catch (err) {
    return caught(err)
  }
}
