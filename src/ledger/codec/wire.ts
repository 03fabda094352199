import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Status {
  chainId: string
  genesisHash: Uint8Array<ArrayBuffer>
  headHash: Uint8Array<ArrayBuffer>
  headHeight: bigint
  totalWork: Uint8Array<ArrayBuffer>
  role: string
}

export namespace Status {
  let _codec: Codec<Status>

  export const codec = (): Codec<Status> => {
    if (_codec == null) {
      _codec = message<Status>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== '')) {
          w.uint32(10)
          w.string(obj.chainId)
        }

        if ((obj.genesisHash != null && obj.genesisHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.genesisHash)
        }

        if ((obj.headHash != null && obj.headHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.headHash)
        }

        if ((obj.headHeight != null && obj.headHeight !== 0n)) {
          w.uint32(32)
          w.uint64(obj.headHeight)
        }

        if ((obj.totalWork != null && obj.totalWork.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.totalWork)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(50)
          w.string(obj.role)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: '',
          genesisHash: uint8ArrayAlloc(0),
          headHash: uint8ArrayAlloc(0),
          headHeight: 0n,
          totalWork: uint8ArrayAlloc(0),
          role: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.string()
              break
            }
            case 2: {
              obj.genesisHash = reader.bytes()
              break
            }
            case 3: {
              obj.headHash = reader.bytes()
              break
            }
            case 4: {
              obj.headHeight = reader.uint64()
              break
            }
            case 5: {
              obj.totalWork = reader.bytes()
              break
            }
            case 6: {
              obj.role = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.chainId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.genesisHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.headHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.headHeight`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.totalWork`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StatusChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface StatusGenesisHashFieldEvent {
    field: '$.genesisHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StatusHeadHashFieldEvent {
    field: '$.headHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StatusHeadHeightFieldEvent {
    field: '$.headHeight'
    value: bigint
  }

  export interface StatusTotalWorkFieldEvent {
    field: '$.totalWork'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StatusRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export function encode (obj: Partial<Status>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Status.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Status {
    return decodeMessage(buf, Status.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Generator<StatusChainIdFieldEvent | StatusGenesisHashFieldEvent | StatusHeadHashFieldEvent | StatusHeadHeightFieldEvent | StatusTotalWorkFieldEvent | StatusRoleFieldEvent> {
    return streamMessage(buf, Status.codec(), opts)
  }
}

export interface SyncRequest {
  locator: Uint8Array<ArrayBuffer>[]
  max: number
  blockHashes: Uint8Array<ArrayBuffer>[]
}

export namespace SyncRequest {
  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.locator != null && obj.locator.length > 0) {
          for (const value of obj.locator) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.max != null && obj.max !== 0)) {
          w.uint32(16)
          w.uint32(obj.max)
        }

        if (obj.blockHashes != null && obj.blockHashes.length > 0) {
          for (const value of obj.blockHashes) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          locator: [],
          max: 0,
          blockHashes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.locator != null && obj.locator.length === opts.limits.locator) {
                throw new MaxLengthError('Decode error - repeated field "locator" had too many elements')
              }

              obj.locator.push(reader.bytes())
              break
            }
            case 2: {
              obj.max = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.blockHashes != null && obj.blockHashes.length === opts.limits.blockHashes) {
                throw new MaxLengthError('Decode error - repeated field "blockHashes" had too many elements')
              }

              obj.blockHashes.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          locator: 0,
          blockHashes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.locator != null && obj.locator === opts.limits.locator) {
                throw new MaxLengthError('Streaming decode error - repeated field "locator" had too many elements')
              }

              yield {
                field: `${prefix}.locator[]`,
                index: obj.locator,
                value: reader.bytes()
              }

              obj.locator++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.max`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.blockHashes != null && obj.blockHashes === opts.limits.blockHashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "blockHashes" had too many elements')
              }

              yield {
                field: `${prefix}.blockHashes[]`,
                index: obj.blockHashes,
                value: reader.bytes()
              }

              obj.blockHashes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRequestLocatorFieldEvent {
    field: '$.locator[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRequestMaxFieldEvent {
    field: '$.max'
    value: number
  }

  export interface SyncRequestBlockHashesFieldEvent {
    field: '$.blockHashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): Generator<SyncRequestLocatorFieldEvent | SyncRequestMaxFieldEvent | SyncRequestBlockHashesFieldEvent> {
    return streamMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface SyncResponse {
  headers: Uint8Array<ArrayBuffer>[]
  blocks: Uint8Array<ArrayBuffer>[]
  commits: Uint8Array<ArrayBuffer>[]
}

export namespace SyncResponse {
  let _codec: Codec<SyncResponse>

  export const codec = (): Codec<SyncResponse> => {
    if (_codec == null) {
      _codec = message<SyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.headers != null && obj.headers.length > 0) {
          for (const value of obj.headers) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.blocks != null && obj.blocks.length > 0) {
          for (const value of obj.blocks) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.commits != null && obj.commits.length > 0) {
          for (const value of obj.commits) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          headers: [],
          blocks: [],
          commits: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.headers != null && obj.headers.length === opts.limits.headers) {
                throw new MaxLengthError('Decode error - repeated field "headers" had too many elements')
              }

              obj.headers.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.blocks != null && obj.blocks.length === opts.limits.blocks) {
                throw new MaxLengthError('Decode error - repeated field "blocks" had too many elements')
              }

              obj.blocks.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.commits != null && obj.commits.length === opts.limits.commits) {
                throw new MaxLengthError('Decode error - repeated field "commits" had too many elements')
              }

              obj.commits.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          headers: 0,
          blocks: 0,
          commits: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.headers != null && obj.headers === opts.limits.headers) {
                throw new MaxLengthError('Streaming decode error - repeated field "headers" had too many elements')
              }

              yield {
                field: `${prefix}.headers[]`,
                index: obj.headers,
                value: reader.bytes()
              }

              obj.headers++

              break
            }
            case 2: {
              if (opts.limits?.blocks != null && obj.blocks === opts.limits.blocks) {
                throw new MaxLengthError('Streaming decode error - repeated field "blocks" had too many elements')
              }

              yield {
                field: `${prefix}.blocks[]`,
                index: obj.blocks,
                value: reader.bytes()
              }

              obj.blocks++

              break
            }
            case 3: {
              if (opts.limits?.commits != null && obj.commits === opts.limits.commits) {
                throw new MaxLengthError('Streaming decode error - repeated field "commits" had too many elements')
              }

              yield {
                field: `${prefix}.commits[]`,
                index: obj.commits,
                value: reader.bytes()
              }

              obj.commits++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncResponseHeadersFieldEvent {
    field: '$.headers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseBlocksFieldEvent {
    field: '$.blocks[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseCommitsFieldEvent {
    field: '$.commits[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): SyncResponse {
    return decodeMessage(buf, SyncResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): Generator<SyncResponseHeadersFieldEvent | SyncResponseBlocksFieldEvent | SyncResponseCommitsFieldEvent> {
    return streamMessage(buf, SyncResponse.codec(), opts)
  }
}

export interface CommittedBlock {
  block: Uint8Array<ArrayBuffer>
  commit: Uint8Array<ArrayBuffer>
}

export namespace CommittedBlock {
  let _codec: Codec<CommittedBlock>

  export const codec = (): Codec<CommittedBlock> => {
    if (_codec == null) {
      _codec = message<CommittedBlock>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.block != null && obj.block.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.block)
        }

        if ((obj.commit != null && obj.commit.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.commit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          block: uint8ArrayAlloc(0),
          commit: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.block = reader.bytes()
              break
            }
            case 2: {
              obj.commit = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.block`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.commit`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CommittedBlockBlockFieldEvent {
    field: '$.block'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommittedBlockCommitFieldEvent {
    field: '$.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommittedBlock>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommittedBlock.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommittedBlock>): CommittedBlock {
    return decodeMessage(buf, CommittedBlock.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommittedBlock>): Generator<CommittedBlockBlockFieldEvent | CommittedBlockCommitFieldEvent> {
    return streamMessage(buf, CommittedBlock.codec(), opts)
  }
}
