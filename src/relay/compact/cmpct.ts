import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CmpctPrefilledTx {
  index: number
  tx: Uint8Array<ArrayBuffer>
}

export namespace CmpctPrefilledTx {
  let _codec: Codec<CmpctPrefilledTx>

  export const codec = (): Codec<CmpctPrefilledTx> => {
    if (_codec == null) {
      _codec = message<CmpctPrefilledTx>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.tx != null && obj.tx.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.tx)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          tx: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.tx = reader.bytes()
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
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tx`,
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

  export interface CmpctPrefilledTxIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface CmpctPrefilledTxTxFieldEvent {
    field: '$.tx'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CmpctPrefilledTx>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CmpctPrefilledTx.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctPrefilledTx>): CmpctPrefilledTx {
    return decodeMessage(buf, CmpctPrefilledTx.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctPrefilledTx>): Generator<CmpctPrefilledTxIndexFieldEvent | CmpctPrefilledTxTxFieldEvent> {
    return streamMessage(buf, CmpctPrefilledTx.codec(), opts)
  }
}

export interface CmpctBlock {
  header: Uint8Array<ArrayBuffer>
  nonce: bigint
  shortIds: Uint8Array<ArrayBuffer>
  prefilled: CmpctPrefilledTx[]
}

export namespace CmpctBlock {
  let _codec: Codec<CmpctBlock>

  export const codec = (): Codec<CmpctBlock> => {
    if (_codec == null) {
      _codec = message<CmpctBlock>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.header)
        }

        if ((obj.nonce != null && obj.nonce !== 0n)) {
          w.uint32(16)
          w.uint64(obj.nonce)
        }

        if ((obj.shortIds != null && obj.shortIds.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.shortIds)
        }

        if (obj.prefilled != null && obj.prefilled.length > 0) {
          for (const value of obj.prefilled) {
            w.uint32(34)
            CmpctPrefilledTx.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          header: uint8ArrayAlloc(0),
          nonce: 0n,
          shortIds: uint8ArrayAlloc(0),
          prefilled: []
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
              obj.nonce = reader.uint64()
              break
            }
            case 3: {
              obj.shortIds = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.prefilled != null && obj.prefilled.length === opts.limits.prefilled) {
                throw new MaxLengthError('Decode error - repeated field "prefilled" had too many elements')
              }

              obj.prefilled.push(CmpctPrefilledTx.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.prefilled$
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
          prefilled: 0
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
              yield {
                field: `${prefix}.nonce`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.shortIds`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.prefilled != null && obj.prefilled === opts.limits.prefilled) {
                throw new MaxLengthError('Streaming decode error - repeated field "prefilled" had too many elements')
              }

              for (const evt of CmpctPrefilledTx.codec().stream(reader, reader.uint32(), `${prefix}.prefilled[]`, {
                limits: opts.limits?.prefilled$
              })) {
                yield {
                  ...evt,
                  index: obj.prefilled
                }
              }

              obj.prefilled++

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

  export interface CmpctBlockHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctBlockNonceFieldEvent {
    field: '$.nonce'
    value: bigint
  }

  export interface CmpctBlockShortIdsFieldEvent {
    field: '$.shortIds'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctBlockPrefilledIndexFieldEvent {
    field: '$.prefilled[].index'
    value: number
    index: number
  }

  export interface CmpctBlockPrefilledTxFieldEvent {
    field: '$.prefilled[].tx'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<CmpctBlock>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CmpctBlock.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctBlock>): CmpctBlock {
    return decodeMessage(buf, CmpctBlock.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctBlock>): Generator<CmpctBlockHeaderFieldEvent | CmpctBlockNonceFieldEvent | CmpctBlockShortIdsFieldEvent | CmpctBlockPrefilledIndexFieldEvent | CmpctBlockPrefilledTxFieldEvent> {
    return streamMessage(buf, CmpctBlock.codec(), opts)
  }
}

export interface CmpctGetBlockTxs {
  blockHash: Uint8Array<ArrayBuffer>
  indexes: number[]
}

export namespace CmpctGetBlockTxs {
  let _codec: Codec<CmpctGetBlockTxs>

  export const codec = (): Codec<CmpctGetBlockTxs> => {
    if (_codec == null) {
      _codec = message<CmpctGetBlockTxs>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.blockHash)
        }

        if (obj.indexes != null && obj.indexes.length > 0) {
          for (const value of obj.indexes) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          blockHash: uint8ArrayAlloc(0),
          indexes: []
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
              if (opts.limits?.indexes != null && obj.indexes.length === opts.limits.indexes) {
                throw new MaxLengthError('Decode error - repeated field "indexes" had too many elements')
              }

              obj.indexes.push(reader.uint32())
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
          indexes: 0
        }

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
              if (opts.limits?.indexes != null && obj.indexes === opts.limits.indexes) {
                throw new MaxLengthError('Streaming decode error - repeated field "indexes" had too many elements')
              }

              yield {
                field: `${prefix}.indexes[]`,
                index: obj.indexes,
                value: reader.uint32()
              }

              obj.indexes++

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

  export interface CmpctGetBlockTxsBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctGetBlockTxsIndexesFieldEvent {
    field: '$.indexes[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<CmpctGetBlockTxs>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CmpctGetBlockTxs.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctGetBlockTxs>): CmpctGetBlockTxs {
    return decodeMessage(buf, CmpctGetBlockTxs.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctGetBlockTxs>): Generator<CmpctGetBlockTxsBlockHashFieldEvent | CmpctGetBlockTxsIndexesFieldEvent> {
    return streamMessage(buf, CmpctGetBlockTxs.codec(), opts)
  }
}

export interface CmpctBlockTxs {
  blockHash: Uint8Array<ArrayBuffer>
  txs: Uint8Array<ArrayBuffer>[]
}

export namespace CmpctBlockTxs {
  let _codec: Codec<CmpctBlockTxs>

  export const codec = (): Codec<CmpctBlockTxs> => {
    if (_codec == null) {
      _codec = message<CmpctBlockTxs>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.blockHash)
        }

        if (obj.txs != null && obj.txs.length > 0) {
          for (const value of obj.txs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          blockHash: uint8ArrayAlloc(0),
          txs: []
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
              if (opts.limits?.txs != null && obj.txs.length === opts.limits.txs) {
                throw new MaxLengthError('Decode error - repeated field "txs" had too many elements')
              }

              obj.txs.push(reader.bytes())
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
          txs: 0
        }

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
              if (opts.limits?.txs != null && obj.txs === opts.limits.txs) {
                throw new MaxLengthError('Streaming decode error - repeated field "txs" had too many elements')
              }

              yield {
                field: `${prefix}.txs[]`,
                index: obj.txs,
                value: reader.bytes()
              }

              obj.txs++

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

  export interface CmpctBlockTxsBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctBlockTxsTxsFieldEvent {
    field: '$.txs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CmpctBlockTxs>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CmpctBlockTxs.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctBlockTxs>): CmpctBlockTxs {
    return decodeMessage(buf, CmpctBlockTxs.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctBlockTxs>): Generator<CmpctBlockTxsBlockHashFieldEvent | CmpctBlockTxsTxsFieldEvent> {
    return streamMessage(buf, CmpctBlockTxs.codec(), opts)
  }
}

export interface CmpctRequest {
  block?: CmpctBlock
  getBlock?: Uint8Array<ArrayBuffer>
  getBlockTxs?: CmpctGetBlockTxs
  highBandwidth?: boolean
  announce?: Uint8Array<ArrayBuffer>
}

export namespace CmpctRequest {
  let _codec: Codec<CmpctRequest>

  export const codec = (): Codec<CmpctRequest> => {
    if (_codec == null) {
      _codec = message<CmpctRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.block != null) {
          w.uint32(10)
          CmpctBlock.codec().encode(obj.block, w)
        }

        if (obj.getBlock != null) {
          w.uint32(26)
          w.bytes(obj.getBlock)
        }

        if (obj.getBlockTxs != null) {
          w.uint32(34)
          CmpctGetBlockTxs.codec().encode(obj.getBlockTxs, w)
        }

        if (obj.highBandwidth != null) {
          w.uint32(40)
          w.bool(obj.highBandwidth)
        }

        if (obj.announce != null) {
          w.uint32(50)
          w.bytes(obj.announce)
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
              obj.block = CmpctBlock.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.block
              })
              break
            }
            case 3: {
              obj.getBlock = reader.bytes()
              break
            }
            case 4: {
              obj.getBlockTxs = CmpctGetBlockTxs.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.getBlockTxs
              })
              break
            }
            case 5: {
              obj.highBandwidth = reader.bool()
              break
            }
            case 6: {
              obj.announce = reader.bytes()
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
              yield * CmpctBlock.codec().stream(reader, reader.uint32(), `${prefix}.block`, {
                limits: opts.limits?.block
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.getBlock`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * CmpctGetBlockTxs.codec().stream(reader, reader.uint32(), `${prefix}.getBlockTxs`, {
                limits: opts.limits?.getBlockTxs
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.highBandwidth`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.announce`,
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

  export interface CmpctRequestBlockHeaderFieldEvent {
    field: '$.block.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctRequestBlockNonceFieldEvent {
    field: '$.block.nonce'
    value: bigint
  }

  export interface CmpctRequestBlockShortIdsFieldEvent {
    field: '$.block.shortIds'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctRequestBlockPrefilledIndexFieldEvent {
    field: '$.block.prefilled[].index'
    value: number
    index: number
  }

  export interface CmpctRequestBlockPrefilledTxFieldEvent {
    field: '$.block.prefilled[].tx'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CmpctRequestGetBlockFieldEvent {
    field: '$.getBlock'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctRequestGetBlockTxsBlockHashFieldEvent {
    field: '$.getBlockTxs.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CmpctRequestGetBlockTxsIndexesFieldEvent {
    field: '$.getBlockTxs.indexes[]'
    index: number
    value: number
  }

  export interface CmpctRequestHighBandwidthFieldEvent {
    field: '$.highBandwidth'
    value: boolean
  }

  export interface CmpctRequestAnnounceFieldEvent {
    field: '$.announce'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CmpctRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CmpctRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctRequest>): CmpctRequest {
    return decodeMessage(buf, CmpctRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CmpctRequest>): Generator<CmpctRequestBlockHeaderFieldEvent | CmpctRequestBlockNonceFieldEvent | CmpctRequestBlockShortIdsFieldEvent | CmpctRequestBlockPrefilledIndexFieldEvent | CmpctRequestBlockPrefilledTxFieldEvent | CmpctRequestGetBlockFieldEvent | CmpctRequestGetBlockTxsBlockHashFieldEvent | CmpctRequestGetBlockTxsIndexesFieldEvent | CmpctRequestHighBandwidthFieldEvent | CmpctRequestAnnounceFieldEvent> {
    return streamMessage(buf, CmpctRequest.codec(), opts)
  }
}
