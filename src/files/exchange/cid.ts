/**
 * The CIDs the exchange fetches and serves: UnixFS blocks, dag-pb (0x70) or
 * raw (0x55), hashed with sha2-256 (0x12, 32 bytes), CIDv0 or CIDv1. Anything
 * else is refused with a FilesCidError before a byte is asked or read; a
 * block's bytes are checked against its CID before they are stored.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { FilesCidError } from './errors.js'
import { CID_BYTES_MAX } from './limits.js'

export const DAG_PB_CODE = dagPb.code
export const RAW_CODE = raw.code
export const SHA2_256_CODE = sha256.code
const DIGEST_BYTES = 32

/** Throws FilesCidError unless `cid` is a codec and hash the exchange handles. */
export function checkCid(cid: CID): CID {
  if (cid.code !== DAG_PB_CODE && cid.code !== RAW_CODE) {
    throw new FilesCidError('CID_UNSUPPORTED_CODEC', `${cid}: codec 0x${cid.code.toString(16)} (dag-pb or raw only)`)
  }
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.byteLength !== DIGEST_BYTES) {
    throw new FilesCidError(
      'CID_UNSUPPORTED_HASH',
      `${cid}: multihash 0x${cid.multihash.code.toString(16)} of ${cid.multihash.digest.byteLength} bytes (sha2-256 only)`,
    )
  }
  return cid
}

/** A CID from its binary form, checked; every fault is a FilesCidError. */
export function cidFromBytes(bytes: Uint8Array): CID {
  if (bytes.byteLength > CID_BYTES_MAX) {
    throw new FilesCidError('CID_MALFORMED', `a CID of ${bytes.byteLength} bytes > ${CID_BYTES_MAX}`)
  }
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (err) {
    throw new FilesCidError('CID_MALFORMED', err instanceof Error ? err.message : String(err))
  }
  return checkCid(cid)
}

/** A CID from its string form (base32 CIDv1, base58 CIDv0), checked. */
export function parseCid(text: string): CID {
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (err) {
    throw new FilesCidError('CID_MALFORMED', `${JSON.stringify(text.slice(0, 100))}: ${(err as Error).message}`)
  }
  return checkCid(cid)
}

/** True when `bytes` hash (sha2-256) to the digest `cid` names. */
export function blockMatches(cid: CID, bytes: Uint8Array): boolean {
  return digestMatches(cid, (sha256.digest(bytes) as { digest: Uint8Array }).digest)
}

/** True when `digest` (a block's sha2-256) is the one `cid` names (a CID checkCid passed: sha2-256). */
export function digestMatches(cid: CID, digest: Uint8Array): boolean {
  const want = cid.multihash.digest
  if (cid.multihash.code !== SHA2_256_CODE || digest.byteLength !== want.byteLength) return false
  for (let i = 0; i < digest.byteLength; i++) if (digest[i] !== want[i]) return false
  return true
}

/** The map key of a block: its multihash in base32 (a CIDv0 and its CIDv1 of dag-pb share it by codec anyway). */
export const cidKey = (cid: CID): string => cid.toString()
