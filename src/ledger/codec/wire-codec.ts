/** Strict, bounded codecs of the wire messages in wire.proto (same rules as codec.ts). */
import { DecodeError } from '../errors.js'
import { HASH_BYTES } from '../limits.js'
import { type Codec, strictDecode } from './codec.js'
import * as pb from './wire.js'

export interface StatusFields {
  chainId: string
  genesisHash: Uint8Array
  headHash: Uint8Array
  headHeight: bigint
  totalWork: Uint8Array
  role: string
}

export interface SyncRequestFields {
  locator: Uint8Array[]
  max: number
  blockHashes: Uint8Array[]
}

export interface SyncResponseFields {
  headers: Uint8Array[]
  blocks: Uint8Array[]
  /**
   * Under BFT finality, `commits[i]` is the encoded commit of `blocks[i]`;
   * otherwise none (left out, it encodes to nothing). Always present once decoded.
   */
  commits?: Uint8Array[]
}

/** The gossiped block under BFT finality: its encoding and its commit's, both still undecoded. */
export interface CommittedBlockFields {
  block: Uint8Array
  commit: Uint8Array
}

/**
 * The most validators a commit on the wire may be signed by (gossip and sync).
 * No set in the code is capped (the epoch rules take a per-chain
 * `validatorsMax`), so this is the wire's own bound: the commit of 512
 * validators (bft/limits.ts commitBytesMax: 38,976 bytes) fits the 64 KiB the
 * gossip message cap leaves beside the largest block. A chain with more
 * validators would need that cap raised first.
 */
export const WIRE_COMMIT_VALIDATORS_MAX = 512

/** The same strict decode as consensus objects, with caps on the repeated fields. */
function strict<T>(codec: Codec<T>, what: string, bytes: Uint8Array, bytesMax: number, limits?: object): T {
  return strictDecode(codec, what, bytes, bytesMax, undefined, limits ? { limits } : undefined)
}

const Status = pb.Status as unknown as Codec<StatusFields>
const SyncRequest = pb.SyncRequest as unknown as Codec<SyncRequestFields>
const SyncResponse = pb.SyncResponse as unknown as Codec<Required<SyncResponseFields>>
const CommittedBlock = pb.CommittedBlock as unknown as Codec<CommittedBlockFields>

export const STATUS_BYTES_MAX = 512
/** `totalWork` is a 256-bit big-endian number, always all 32 bytes. */
export const STATUS_WORK_BYTES = 32
/** Heights are JavaScript numbers everywhere above the codec: anything past 2^53 - 1 would round. */
export const STATUS_HEIGHT_MAX = BigInt(Number.MAX_SAFE_INTEGER)

export const encodeStatus = (s: StatusFields): Uint8Array => Status.encode(s)

/** Decodes a Status and checks every field's shape; a peer's bad status is a DecodeError it is charged for. */
export function decodeStatus(b: Uint8Array): StatusFields {
  const status = strict(Status, 'status', b, STATUS_BYTES_MAX)
  const malformed = (why: string): never => {
    throw new DecodeError('DECODE_MALFORMED', `status: ${why}`)
  }
  if (status.totalWork.byteLength !== STATUS_WORK_BYTES)
    malformed(`totalWork is ${status.totalWork.byteLength} bytes, not ${STATUS_WORK_BYTES}`)
  if (status.headHeight > STATUS_HEIGHT_MAX) malformed(`headHeight ${status.headHeight} is past 2^53 - 1`)
  if (status.genesisHash.byteLength !== HASH_BYTES) malformed('genesisHash is not 32 bytes')
  if (status.headHash.byteLength !== HASH_BYTES) malformed('headHash is not 32 bytes')
  return status
}

export const encodeSyncRequest = (r: SyncRequestFields): Uint8Array => SyncRequest.encode(r)
export function decodeSyncRequest(b: Uint8Array, itemsMax: number): SyncRequestFields {
  return strict(SyncRequest, 'sync request', b, 64 + itemsMax * 40, { locator: itemsMax, blockHashes: itemsMax })
}

export const encodeSyncResponse = (r: SyncResponseFields): Uint8Array => SyncResponse.encode({ commits: [], ...r })
export function decodeSyncResponse(b: Uint8Array, bytesMax: number, itemsMax: number): Required<SyncResponseFields> {
  return strict(SyncResponse, 'sync response', b, bytesMax, {
    headers: itemsMax,
    blocks: itemsMax,
    commits: itemsMax,
  })
}

/** Tag and varint length of a `bytes` field of up to 2^35 bytes, at most. */
const FIELD_FRAMING_BYTES_MAX = 6

export const encodeCommittedBlock = (c: CommittedBlockFields): Uint8Array => CommittedBlock.encode(c)

/**
 * Decodes a CommittedBlock and bounds each part on its own (DECODE_TOO_LARGE).
 * The parts stay bytes: the block goes through the strict block decoder, the
 * commit through the engine's check. An absent commit decodes as empty bytes.
 */
export function decodeCommittedBlock(
  b: Uint8Array,
  limits: { blockBytesMax: number; commitBytesMax: number },
): CommittedBlockFields {
  const bytesMax = limits.blockBytesMax + limits.commitBytesMax + 2 * FIELD_FRAMING_BYTES_MAX
  const committed = strict(CommittedBlock, 'committed block', b, bytesMax)
  if (committed.block.byteLength > limits.blockBytesMax) {
    throw new DecodeError('DECODE_TOO_LARGE', `committed block: block of ${committed.block.byteLength} bytes`)
  }
  if (committed.commit.byteLength > limits.commitBytesMax) {
    throw new DecodeError('DECODE_TOO_LARGE', `committed block: commit of ${committed.commit.byteLength} bytes`)
  }
  return committed
}
