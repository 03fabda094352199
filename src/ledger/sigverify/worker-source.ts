/**
 * The verify worker's program. It is self-contained (node:crypto and
 * node:worker_threads only) and loaded from source with `eval: true`, as the
 * PoW miner is, so it runs the same under tsx, vitest and compiled JS.
 *
 * Protocol: the worker receives `{ id, batch }` (batch: an ArrayBuffer laid out
 * as in batch.ts) and replies `{ id, firstInvalid }`: the index of the first
 * item whose signature does not verify, or -1. A malformed batch is our bug:
 * the worker throws, which ends it, and the pool rejects the job with an Error.
 */
import { COUNT_BYTES, ITEM_HEADER_BYTES } from './batch.js'

/** SPKI DER header of an Ed25519 public key; the 32 raw key bytes follow it. */
export const SPKI_ED25519_PREFIX_HEX = '302a300506032b6570032100'
/** KeyObjects each worker keeps; importing a raw key costs more than a verify. */
export const WORKER_KEY_CACHE_MAX = 50_000

export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI_PREFIX = Buffer.from('${SPKI_ED25519_PREFIX_HEX}', 'hex')
const COUNT_BYTES = ${COUNT_BYTES}
const ITEM_HEADER_BYTES = ${ITEM_HEADER_BYTES}
const KEY_CACHE_MAX = ${WORKER_KEY_CACHE_MAX}
// Two generations instead of evicting the first key: V8 leaves deleted Map slots as
// holes that every keys().next() walks, so first-key eviction is not O(1).
let keys = new Map()
let oldKeys = new Map()

function publicKeyObject(raw) {
  const id = raw.toString('latin1')
  let key = keys.get(id)
  if (key !== undefined) return key
  key = oldKeys.get(id)
  if (key !== undefined) {
    keys.set(id, key)
    return key
  }
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
  } catch {
    key = null
  }
  keys.set(id, key)
  if (keys.size >= KEY_CACHE_MAX / 2) {
    oldKeys = keys
    keys = new Map()
  }
  return key
}

function firstInvalid(batch) {
  const bytes = Buffer.from(batch)
  const view = new DataView(batch)
  if (bytes.length < COUNT_BYTES) throw new Error('verify worker: batch shorter than its count')
  const count = view.getUint32(0, true)
  let offset = COUNT_BYTES
  for (let i = 0; i < count; i++) {
    if (offset + ITEM_HEADER_BYTES > bytes.length) throw new Error('verify worker: batch truncated at item ' + i)
    const publicKey = bytes.subarray(offset, offset + 32)
    const signature = bytes.subarray(offset + 32, offset + 96)
    const length = view.getUint32(offset + 96, true)
    offset += ITEM_HEADER_BYTES
    if (offset + length > bytes.length) throw new Error('verify worker: message truncated at item ' + i)
    const message = bytes.subarray(offset, offset + length)
    offset += length
    const key = publicKeyObject(publicKey)
    let ok = false
    if (key !== null) {
      try {
        ok = verify(null, message, key, signature)
      } catch {
        ok = false
      }
    }
    if (!ok) return i
  }
  if (offset !== bytes.length) throw new Error('verify worker: trailing bytes after ' + count + ' items')
  return -1
}

parentPort.on('message', ({ id, batch }) => {
  parentPort.postMessage({ id, firstInvalid: firstInvalid(batch) })
})
`
