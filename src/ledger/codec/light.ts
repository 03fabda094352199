import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AccountProofRequest {
  blockHash: Uint8Array<ArrayBuffer>
  address: Uint8Array<ArrayBuffer>
}

export namespace AccountProofRequest {
  let _codec: Codec<AccountProofRequest>

  export const codec = (): Codec<AccountProofRequest> => {
    if (_codec == null) {
      _codec = message<AccountProofRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.blockHash)
        }

        if ((obj.address != null && obj.address.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.address)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          blockHash: uint8ArrayAlloc(0),
          address: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.blockHash = reader.bytes()
              break
            }
            case 2: {
              obj.address = reader.bytes()
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
                field: `${prefix}.blockHash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.address`,
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

  export interface AccountProofRequestBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AccountProofRequestAddressFieldEvent {
    field: '$.address'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AccountProofRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AccountProofRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountProofRequest>): AccountProofRequest {
    return decodeMessage(buf, AccountProofRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountProofRequest>): Generator<AccountProofRequestBlockHashFieldEvent | AccountProofRequestAddressFieldEvent> {
    return streamMessage(buf, AccountProofRequest.codec(), opts)
  }
}

export interface TxProofRequest {
  txHash: Uint8Array<ArrayBuffer>
}

export namespace TxProofRequest {
  let _codec: Codec<TxProofRequest>

  export const codec = (): Codec<TxProofRequest> => {
    if (_codec == null) {
      _codec = message<TxProofRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.txHash != null && obj.txHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.txHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          txHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.txHash = reader.bytes()
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
                field: `${prefix}.txHash`,
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

  export interface TxProofRequestTxHashFieldEvent {
    field: '$.txHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TxProofRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TxProofRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TxProofRequest>): TxProofRequest {
    return decodeMessage(buf, TxProofRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TxProofRequest>): Generator<TxProofRequestTxHashFieldEvent> {
    return streamMessage(buf, TxProofRequest.codec(), opts)
  }
}

export interface HeadersRequest {
  fromHeight: bigint
  count: number
}

export namespace HeadersRequest {
  let _codec: Codec<HeadersRequest>

  export const codec = (): Codec<HeadersRequest> => {
    if (_codec == null) {
      _codec = message<HeadersRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.fromHeight != null && obj.fromHeight !== 0n)) {
          w.uint32(8)
          w.uint64(obj.fromHeight)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint32(obj.count)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          fromHeight: 0n,
          count: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.fromHeight = reader.uint64()
              break
            }
            case 2: {
              obj.count = reader.uint32()
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
                field: `${prefix}.fromHeight`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
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

  export interface HeadersRequestFromHeightFieldEvent {
    field: '$.fromHeight'
    value: bigint
  }

  export interface HeadersRequestCountFieldEvent {
    field: '$.count'
    value: number
  }

  export function encode (obj: Partial<HeadersRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeadersRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadersRequest>): HeadersRequest {
    return decodeMessage(buf, HeadersRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadersRequest>): Generator<HeadersRequestFromHeightFieldEvent | HeadersRequestCountFieldEvent> {
    return streamMessage(buf, HeadersRequest.codec(), opts)
  }
}

export interface FlyProofRequest {
  samples: number
}

export namespace FlyProofRequest {
  let _codec: Codec<FlyProofRequest>

  export const codec = (): Codec<FlyProofRequest> => {
    if (_codec == null) {
      _codec = message<FlyProofRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.samples != null && obj.samples !== 0)) {
          w.uint32(8)
          w.uint32(obj.samples)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          samples: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.samples = reader.uint32()
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
                field: `${prefix}.samples`,
                value: reader.uint32()
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

  export interface FlyProofRequestSamplesFieldEvent {
    field: '$.samples'
    value: number
  }

  export function encode (obj: Partial<FlyProofRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FlyProofRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlyProofRequest>): FlyProofRequest {
    return decodeMessage(buf, FlyProofRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlyProofRequest>): Generator<FlyProofRequestSamplesFieldEvent> {
    return streamMessage(buf, FlyProofRequest.codec(), opts)
  }
}

export interface PosProofRequest {
  height: bigint
}

export namespace PosProofRequest {
  let _codec: Codec<PosProofRequest>

  export const codec = (): Codec<PosProofRequest> => {
    if (_codec == null) {
      _codec = message<PosProofRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(8)
          w.uint64(obj.height)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.height = reader.uint64()
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
                field: `${prefix}.height`,
                value: reader.uint64()
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

  export interface PosProofRequestHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export function encode (obj: Partial<PosProofRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PosProofRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PosProofRequest>): PosProofRequest {
    return decodeMessage(buf, PosProofRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PosProofRequest>): Generator<PosProofRequestHeightFieldEvent> {
    return streamMessage(buf, PosProofRequest.codec(), opts)
  }
}

export interface LightRequest {
  account?: AccountProofRequest
  tx?: TxProofRequest
  headers?: HeadersRequest
  fly?: FlyProofRequest
  pos?: PosProofRequest
}

export namespace LightRequest {
  let _codec: Codec<LightRequest>

  export const codec = (): Codec<LightRequest> => {
    if (_codec == null) {
      _codec = message<LightRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.account != null) {
          w.uint32(10)
          AccountProofRequest.codec().encode(obj.account, w)
        }

        if (obj.tx != null) {
          w.uint32(18)
          TxProofRequest.codec().encode(obj.tx, w)
        }

        if (obj.headers != null) {
          w.uint32(26)
          HeadersRequest.codec().encode(obj.headers, w)
        }

        if (obj.fly != null) {
          w.uint32(34)
          FlyProofRequest.codec().encode(obj.fly, w)
        }

        if (obj.pos != null) {
          w.uint32(42)
          PosProofRequest.codec().encode(obj.pos, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.account = AccountProofRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.account
              })
              break
            }
            case 2: {
              obj.tx = TxProofRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tx
              })
              break
            }
            case 3: {
              obj.headers = HeadersRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.headers
              })
              break
            }
            case 4: {
              obj.fly = FlyProofRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fly
              })
              break
            }
            case 5: {
              obj.pos = PosProofRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pos
              })
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
              yield * AccountProofRequest.codec().stream(reader, reader.uint32(), `${prefix}.account`, {
                limits: opts.limits?.account
              })

              break
            }
            case 2: {
              yield * TxProofRequest.codec().stream(reader, reader.uint32(), `${prefix}.tx`, {
                limits: opts.limits?.tx
              })

              break
            }
            case 3: {
              yield * HeadersRequest.codec().stream(reader, reader.uint32(), `${prefix}.headers`, {
                limits: opts.limits?.headers
              })

              break
            }
            case 4: {
              yield * FlyProofRequest.codec().stream(reader, reader.uint32(), `${prefix}.fly`, {
                limits: opts.limits?.fly
              })

              break
            }
            case 5: {
              yield * PosProofRequest.codec().stream(reader, reader.uint32(), `${prefix}.pos`, {
                limits: opts.limits?.pos
              })

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

  export interface LightRequestAccountBlockHashFieldEvent {
    field: '$.account.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LightRequestAccountAddressFieldEvent {
    field: '$.account.address'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LightRequestTxTxHashFieldEvent {
    field: '$.tx.txHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LightRequestHeadersFromHeightFieldEvent {
    field: '$.headers.fromHeight'
    value: bigint
  }

  export interface LightRequestHeadersCountFieldEvent {
    field: '$.headers.count'
    value: number
  }

  export interface LightRequestFlySamplesFieldEvent {
    field: '$.fly.samples'
    value: number
  }

  export interface LightRequestPosHeightFieldEvent {
    field: '$.pos.height'
    value: bigint
  }

  export function encode (obj: Partial<LightRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LightRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LightRequest>): LightRequest {
    return decodeMessage(buf, LightRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LightRequest>): Generator<LightRequestAccountBlockHashFieldEvent | LightRequestAccountAddressFieldEvent | LightRequestTxTxHashFieldEvent | LightRequestHeadersFromHeightFieldEvent | LightRequestHeadersCountFieldEvent | LightRequestFlySamplesFieldEvent | LightRequestPosHeightFieldEvent> {
    return streamMessage(buf, LightRequest.codec(), opts)
  }
}

export interface AccountProofResponse {
  header: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>[]
  account: Uint8Array<ArrayBuffer>
}

export namespace AccountProofResponse {
  let _codec: Codec<AccountProofResponse>

  export const codec = (): Codec<AccountProofResponse> => {
    if (_codec == null) {
      _codec = message<AccountProofResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.header)
        }

        if (obj.proof != null && obj.proof.length > 0) {
          for (const value of obj.proof) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.account != null && obj.account.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.account)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          header: uint8ArrayAlloc(0),
          proof: [],
          account: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.proof != null && obj.proof.length === opts.limits.proof) {
                throw new MaxLengthError('Decode error - repeated field "proof" had too many elements')
              }

              obj.proof.push(reader.bytes())
              break
            }
            case 3: {
              obj.account = reader.bytes()
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
          proof: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.header`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.proof != null && obj.proof === opts.limits.proof) {
                throw new MaxLengthError('Streaming decode error - repeated field "proof" had too many elements')
              }

              yield {
                field: `${prefix}.proof[]`,
                index: obj.proof,
                value: reader.bytes()
              }

              obj.proof++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.account`,
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

  export interface AccountProofResponseHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AccountProofResponseProofFieldEvent {
    field: '$.proof[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AccountProofResponseAccountFieldEvent {
    field: '$.account'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AccountProofResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AccountProofResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountProofResponse>): AccountProofResponse {
    return decodeMessage(buf, AccountProofResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountProofResponse>): Generator<AccountProofResponseHeaderFieldEvent | AccountProofResponseProofFieldEvent | AccountProofResponseAccountFieldEvent> {
    return streamMessage(buf, AccountProofResponse.codec(), opts)
  }
}

export interface TxProofResponse {
  tx: Uint8Array<ArrayBuffer>
  blockHash: Uint8Array<ArrayBuffer>
  header: Uint8Array<ArrayBuffer>
  index: number
  txCount: number
  path: Uint8Array<ArrayBuffer>[]
}

export namespace TxProofResponse {
  let _codec: Codec<TxProofResponse>

  export const codec = (): Codec<TxProofResponse> => {
    if (_codec == null) {
      _codec = message<TxProofResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tx != null && obj.tx.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.tx)
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.blockHash)
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.header)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(32)
          w.uint32(obj.index)
        }

        if ((obj.txCount != null && obj.txCount !== 0)) {
          w.uint32(40)
          w.uint32(obj.txCount)
        }

        if (obj.path != null && obj.path.length > 0) {
          for (const value of obj.path) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tx: uint8ArrayAlloc(0),
          blockHash: uint8ArrayAlloc(0),
          header: uint8ArrayAlloc(0),
          index: 0,
          txCount: 0,
          path: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tx = reader.bytes()
              break
            }
            case 2: {
              obj.blockHash = reader.bytes()
              break
            }
            case 3: {
              obj.header = reader.bytes()
              break
            }
            case 4: {
              obj.index = reader.uint32()
              break
            }
            case 5: {
              obj.txCount = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.path != null && obj.path.length === opts.limits.path) {
                throw new MaxLengthError('Decode error - repeated field "path" had too many elements')
              }

              obj.path.push(reader.bytes())
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
          path: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.tx`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.blockHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.header`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.txCount`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.path != null && obj.path === opts.limits.path) {
                throw new MaxLengthError('Streaming decode error - repeated field "path" had too many elements')
              }

              yield {
                field: `${prefix}.path[]`,
                index: obj.path,
                value: reader.bytes()
              }

              obj.path++

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

  export interface TxProofResponseTxFieldEvent {
    field: '$.tx'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TxProofResponseBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TxProofResponseHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TxProofResponseIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TxProofResponseTxCountFieldEvent {
    field: '$.txCount'
    value: number
  }

  export interface TxProofResponsePathFieldEvent {
    field: '$.path[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TxProofResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TxProofResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TxProofResponse>): TxProofResponse {
    return decodeMessage(buf, TxProofResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TxProofResponse>): Generator<TxProofResponseTxFieldEvent | TxProofResponseBlockHashFieldEvent | TxProofResponseHeaderFieldEvent | TxProofResponseIndexFieldEvent | TxProofResponseTxCountFieldEvent | TxProofResponsePathFieldEvent> {
    return streamMessage(buf, TxProofResponse.codec(), opts)
  }
}

export interface HeadersResponse {
  headers: Uint8Array<ArrayBuffer>[]
}

export namespace HeadersResponse {
  let _codec: Codec<HeadersResponse>

  export const codec = (): Codec<HeadersResponse> => {
    if (_codec == null) {
      _codec = message<HeadersResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.headers != null && obj.headers.length > 0) {
          for (const value of obj.headers) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          headers: []
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
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          headers: 0
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

  export interface HeadersResponseHeadersFieldEvent {
    field: '$.headers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HeadersResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeadersResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadersResponse>): HeadersResponse {
    return decodeMessage(buf, HeadersResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadersResponse>): Generator<HeadersResponseHeadersFieldEvent> {
    return streamMessage(buf, HeadersResponse.codec(), opts)
  }
}

export interface FlySample {
  header: Uint8Array<ArrayBuffer>
  siblings: Uint8Array<ArrayBuffer>
  peaks: Uint8Array<ArrayBuffer>
}

export namespace FlySample {
  let _codec: Codec<FlySample>

  export const codec = (): Codec<FlySample> => {
    if (_codec == null) {
      _codec = message<FlySample>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.header)
        }

        if ((obj.siblings != null && obj.siblings.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.siblings)
        }

        if ((obj.peaks != null && obj.peaks.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.peaks)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          header: uint8ArrayAlloc(0),
          siblings: uint8ArrayAlloc(0),
          peaks: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = reader.bytes()
              break
            }
            case 2: {
              obj.siblings = reader.bytes()
              break
            }
            case 3: {
              obj.peaks = reader.bytes()
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
                field: `${prefix}.header`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.siblings`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.peaks`,
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

  export interface FlySampleHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FlySampleSiblingsFieldEvent {
    field: '$.siblings'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FlySamplePeaksFieldEvent {
    field: '$.peaks'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FlySample>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FlySample.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlySample>): FlySample {
    return decodeMessage(buf, FlySample.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlySample>): Generator<FlySampleHeaderFieldEvent | FlySampleSiblingsFieldEvent | FlySamplePeaksFieldEvent> {
    return streamMessage(buf, FlySample.codec(), opts)
  }
}

export interface FlyProofResponse {
  tip: Uint8Array<ArrayBuffer>
  mmrWork: Uint8Array<ArrayBuffer>
  samples: FlySample[]
}

export namespace FlyProofResponse {
  let _codec: Codec<FlyProofResponse>

  export const codec = (): Codec<FlyProofResponse> => {
    if (_codec == null) {
      _codec = message<FlyProofResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tip != null && obj.tip.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.tip)
        }

        if ((obj.mmrWork != null && obj.mmrWork.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.mmrWork)
        }

        if (obj.samples != null && obj.samples.length > 0) {
          for (const value of obj.samples) {
            w.uint32(26)
            FlySample.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tip: uint8ArrayAlloc(0),
          mmrWork: uint8ArrayAlloc(0),
          samples: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tip = reader.bytes()
              break
            }
            case 2: {
              obj.mmrWork = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.samples != null && obj.samples.length === opts.limits.samples) {
                throw new MaxLengthError('Decode error - repeated field "samples" had too many elements')
              }

              obj.samples.push(FlySample.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.samples$
              }))
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
          samples: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.tip`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.mmrWork`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.samples != null && obj.samples === opts.limits.samples) {
                throw new MaxLengthError('Streaming decode error - repeated field "samples" had too many elements')
              }

              for (const evt of FlySample.codec().stream(reader, reader.uint32(), `${prefix}.samples[]`, {
                limits: opts.limits?.samples$
              })) {
                yield {
                  ...evt,
                  index: obj.samples
                }
              }

              obj.samples++

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

  export interface FlyProofResponseTipFieldEvent {
    field: '$.tip'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FlyProofResponseMmrWorkFieldEvent {
    field: '$.mmrWork'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FlyProofResponseSamplesHeaderFieldEvent {
    field: '$.samples[].header'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FlyProofResponseSamplesSiblingsFieldEvent {
    field: '$.samples[].siblings'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FlyProofResponseSamplesPeaksFieldEvent {
    field: '$.samples[].peaks'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<FlyProofResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FlyProofResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlyProofResponse>): FlyProofResponse {
    return decodeMessage(buf, FlyProofResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FlyProofResponse>): Generator<FlyProofResponseTipFieldEvent | FlyProofResponseMmrWorkFieldEvent | FlyProofResponseSamplesHeaderFieldEvent | FlyProofResponseSamplesSiblingsFieldEvent | FlyProofResponseSamplesPeaksFieldEvent> {
    return streamMessage(buf, FlyProofResponse.codec(), opts)
  }
}

export interface PosProofResponse {
  header: Uint8Array<ArrayBuffer>
  commit: Uint8Array<ArrayBuffer>
  validators: Uint8Array<ArrayBuffer>
}

export namespace PosProofResponse {
  let _codec: Codec<PosProofResponse>

  export const codec = (): Codec<PosProofResponse> => {
    if (_codec == null) {
      _codec = message<PosProofResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.header)
        }

        if ((obj.commit != null && obj.commit.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.commit)
        }

        if ((obj.validators != null && obj.validators.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.validators)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          header: uint8ArrayAlloc(0),
          commit: uint8ArrayAlloc(0),
          validators: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = reader.bytes()
              break
            }
            case 2: {
              obj.commit = reader.bytes()
              break
            }
            case 3: {
              obj.validators = reader.bytes()
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
                field: `${prefix}.header`,
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
            case 3: {
              yield {
                field: `${prefix}.validators`,
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

  export interface PosProofResponseHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PosProofResponseCommitFieldEvent {
    field: '$.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PosProofResponseValidatorsFieldEvent {
    field: '$.validators'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PosProofResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PosProofResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PosProofResponse>): PosProofResponse {
    return decodeMessage(buf, PosProofResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PosProofResponse>): Generator<PosProofResponseHeaderFieldEvent | PosProofResponseCommitFieldEvent | PosProofResponseValidatorsFieldEvent> {
    return streamMessage(buf, PosProofResponse.codec(), opts)
  }
}
