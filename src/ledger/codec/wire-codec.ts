/** Strict, bounded codecs of the wire messages in wire.proto (same rules as codec.ts). */
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

export const encodeStatus = (s: StatusFields): Uint8Array => Status.encode(s)
export const decodeStatus = (b: Uint8Array): StatusFields => strict(Status, 'status', b, STATUS_BYTES_MAX)

export const encodeSyncRequest = (r: SyncRequestFields): Uint8Array => SyncRequest.encode(r)
export function decodeSyncRequest(b: Uint8Array, itemsMax: number): SyncRequestFields {
  return strict(SyncRequest, 'sync request', b, 64 + itemsMax * 40, { locator: itemsMax, blockHashes: itemsMax })
}

export const encodeSyncResponse = (r: SyncResponseFields): Uint8Array => SyncResponse.encode(r)
export function decodeSyncResponse(b: Uint8Array, bytesMax: number, itemsMax: number): SyncResponseFields {
  return strict(SyncResponse, 'sync response', b, bytesMax, { headers: itemsMax, blocks: itemsMax })
}
