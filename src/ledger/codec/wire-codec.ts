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
}

/** The same strict decode as consensus objects, with caps on the repeated fields. */
function strict<T>(codec: Codec<T>, what: string, bytes: Uint8Array, bytesMax: number, limits?: object): T {
  return strictDecode(codec, what, bytes, bytesMax, undefined, limits ? { limits } : undefined)
}

const Status = pb.Status as unknown as Codec<StatusFields>
const SyncRequest = pb.SyncRequest as unknown as Codec<SyncRequestFields>
const SyncResponse = pb.SyncResponse as unknown as Codec<SyncResponseFields>

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

export const encodeSyncResponse = (r: SyncResponseFields): Uint8Array => SyncResponse.encode(r)
export function decodeSyncResponse(b: Uint8Array, bytesMax: number, itemsMax: number): SyncResponseFields {
  return strict(SyncResponse, 'sync response', b, bytesMax, { headers: itemsMax, blocks: itemsMax })
}
