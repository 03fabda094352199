import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Transaction {
  chainId: string
  senderPubKey: Uint8Array<ArrayBuffer>
  recipient: Uint8Array<ArrayBuffer>
  amount: bigint
  fee: bigint
  nonce: bigint
  memo: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  kind: number
  payload: Uint8Array<ArrayBuffer>
}

export namespace Transaction {
  let _codec: Codec<Transaction>

  export const codec = (): Codec<Transaction> => {
    if (_codec == null) {
      _codec = message<Transaction>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== '')) {
          w.uint32(10)
          w.string(obj.chainId)
        }

        if ((obj.senderPubKey != null && obj.senderPubKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.senderPubKey)
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.recipient)
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(32)
          w.uint64(obj.amount)
        }

        if ((obj.fee != null && obj.fee !== 0n)) {
          w.uint32(40)
          w.uint64(obj.fee)
        }

        if ((obj.nonce != null && obj.nonce !== 0n)) {
          w.uint32(48)
          w.uint64(obj.nonce)
        }

        if ((obj.memo != null && obj.memo.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.memo)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(72)
          w.uint32(obj.kind)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.payload)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: '',
          senderPubKey: uint8ArrayAlloc(0),
          recipient: uint8ArrayAlloc(0),
          amount: 0n,
          fee: 0n,
          nonce: 0n,
          memo: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          kind: 0,
          payload: uint8ArrayAlloc(0)
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
              obj.senderPubKey = reader.bytes()
              break
            }
            case 3: {
              obj.recipient = reader.bytes()
              break
            }
            case 4: {
              obj.amount = reader.uint64()
              break
            }
            case 5: {
              obj.fee = reader.uint64()
              break
            }
            case 6: {
              obj.nonce = reader.uint64()
              break
            }
            case 7: {
              obj.memo = reader.bytes()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
              break
            }
            case 9: {
              obj.kind = reader.uint32()
              break
            }
            case 10: {
              obj.payload = reader.bytes()
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
                field: `${prefix}.senderPubKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.amount`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.fee`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.memo`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.payload`,
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

  export interface TransactionChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface TransactionSenderPubKeyFieldEvent {
    field: '$.senderPubKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransactionRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransactionAmountFieldEvent {
    field: '$.amount'
    value: bigint
  }

  export interface TransactionFeeFieldEvent {
    field: '$.fee'
    value: bigint
  }

  export interface TransactionNonceFieldEvent {
    field: '$.nonce'
    value: bigint
  }

  export interface TransactionMemoFieldEvent {
    field: '$.memo'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransactionSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransactionKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface TransactionPayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Transaction>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Transaction.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Transaction>): Transaction {
    return decodeMessage(buf, Transaction.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Transaction>): Generator<TransactionChainIdFieldEvent | TransactionSenderPubKeyFieldEvent | TransactionRecipientFieldEvent | TransactionAmountFieldEvent | TransactionFeeFieldEvent | TransactionNonceFieldEvent | TransactionMemoFieldEvent | TransactionSignatureFieldEvent | TransactionKindFieldEvent | TransactionPayloadFieldEvent> {
    return streamMessage(buf, Transaction.codec(), opts)
  }
}

export interface BlockHeader {
  version: number
  height: bigint
  parentHash: Uint8Array<ArrayBuffer>
  timestamp: bigint
  txRoot: Uint8Array<ArrayBuffer>
  stateRoot: Uint8Array<ArrayBuffer>
  target: Uint8Array<ArrayBuffer>
  miner: Uint8Array<ArrayBuffer>
  reward: bigint
  nonce: bigint
  mmrRoot: Uint8Array<ArrayBuffer>
  validatorsHash: Uint8Array<ArrayBuffer>
}

export namespace BlockHeader {
  let _codec: Codec<BlockHeader>

  export const codec = (): Codec<BlockHeader> => {
    if (_codec == null) {
      _codec = message<BlockHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(16)
          w.uint64(obj.height)
        }

        if ((obj.parentHash != null && obj.parentHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.parentHash)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(32)
          w.uint64(obj.timestamp)
        }

        if ((obj.txRoot != null && obj.txRoot.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.txRoot)
        }

        if ((obj.stateRoot != null && obj.stateRoot.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.stateRoot)
        }

        if ((obj.target != null && obj.target.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.target)
        }

        if ((obj.miner != null && obj.miner.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.miner)
        }

        if ((obj.reward != null && obj.reward !== 0n)) {
          w.uint32(72)
          w.uint64(obj.reward)
        }

        if ((obj.nonce != null && obj.nonce !== 0n)) {
          w.uint32(80)
          w.uint64(obj.nonce)
        }

        if ((obj.mmrRoot != null && obj.mmrRoot.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.mmrRoot)
        }

        if ((obj.validatorsHash != null && obj.validatorsHash.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.validatorsHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          height: 0n,
          parentHash: uint8ArrayAlloc(0),
          timestamp: 0n,
          txRoot: uint8ArrayAlloc(0),
          stateRoot: uint8ArrayAlloc(0),
          target: uint8ArrayAlloc(0),
          miner: uint8ArrayAlloc(0),
          reward: 0n,
          nonce: 0n,
          mmrRoot: uint8ArrayAlloc(0),
          validatorsHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.height = reader.uint64()
              break
            }
            case 3: {
              obj.parentHash = reader.bytes()
              break
            }
            case 4: {
              obj.timestamp = reader.uint64()
              break
            }
            case 5: {
              obj.txRoot = reader.bytes()
              break
            }
            case 6: {
              obj.stateRoot = reader.bytes()
              break
            }
            case 7: {
              obj.target = reader.bytes()
              break
            }
            case 8: {
              obj.miner = reader.bytes()
              break
            }
            case 9: {
              obj.reward = reader.uint64()
              break
            }
            case 10: {
              obj.nonce = reader.uint64()
              break
            }
            case 11: {
              obj.mmrRoot = reader.bytes()
              break
            }
            case 12: {
              obj.validatorsHash = reader.bytes()
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.height`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parentHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.txRoot`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.stateRoot`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.target`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.miner`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.reward`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.uint64()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.mmrRoot`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.validatorsHash`,
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

  export interface BlockHeaderVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BlockHeaderHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BlockHeaderParentHashFieldEvent {
    field: '$.parentHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface BlockHeaderTxRootFieldEvent {
    field: '$.txRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderStateRootFieldEvent {
    field: '$.stateRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderTargetFieldEvent {
    field: '$.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderMinerFieldEvent {
    field: '$.miner'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderRewardFieldEvent {
    field: '$.reward'
    value: bigint
  }

  export interface BlockHeaderNonceFieldEvent {
    field: '$.nonce'
    value: bigint
  }

  export interface BlockHeaderMmrRootFieldEvent {
    field: '$.mmrRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderValidatorsHashFieldEvent {
    field: '$.validatorsHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BlockHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlockHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlockHeader>): BlockHeader {
    return decodeMessage(buf, BlockHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlockHeader>): Generator<BlockHeaderVersionFieldEvent | BlockHeaderHeightFieldEvent | BlockHeaderParentHashFieldEvent | BlockHeaderTimestampFieldEvent | BlockHeaderTxRootFieldEvent | BlockHeaderStateRootFieldEvent | BlockHeaderTargetFieldEvent | BlockHeaderMinerFieldEvent | BlockHeaderRewardFieldEvent | BlockHeaderNonceFieldEvent | BlockHeaderMmrRootFieldEvent | BlockHeaderValidatorsHashFieldEvent> {
    return streamMessage(buf, BlockHeader.codec(), opts)
  }
}

export interface Block {
  header?: BlockHeader
  txs: Transaction[]
}

export namespace Block {
  let _codec: Codec<Block>

  export const codec = (): Codec<Block> => {
    if (_codec == null) {
      _codec = message<Block>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.header != null) {
          w.uint32(10)
          BlockHeader.codec().encode(obj.header, w)
        }

        if (obj.txs != null && obj.txs.length > 0) {
          for (const value of obj.txs) {
            w.uint32(18)
            Transaction.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          txs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = BlockHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.header
              })
              break
            }
            case 2: {
              if (opts.limits?.txs != null && obj.txs.length === opts.limits.txs) {
                throw new MaxLengthError('Decode error - repeated field "txs" had too many elements')
              }

              obj.txs.push(Transaction.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.txs$
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
          txs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * BlockHeader.codec().stream(reader, reader.uint32(), `${prefix}.header`, {
                limits: opts.limits?.header
              })

              break
            }
            case 2: {
              if (opts.limits?.txs != null && obj.txs === opts.limits.txs) {
                throw new MaxLengthError('Streaming decode error - repeated field "txs" had too many elements')
              }

              for (const evt of Transaction.codec().stream(reader, reader.uint32(), `${prefix}.txs[]`, {
                limits: opts.limits?.txs$
              })) {
                yield {
                  ...evt,
                  index: obj.txs
                }
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

  export interface BlockHeaderVersionFieldEvent {
    field: '$.header.version'
    value: number
  }

  export interface BlockHeaderHeightFieldEvent {
    field: '$.header.height'
    value: bigint
  }

  export interface BlockHeaderParentHashFieldEvent {
    field: '$.header.parentHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderTimestampFieldEvent {
    field: '$.header.timestamp'
    value: bigint
  }

  export interface BlockHeaderTxRootFieldEvent {
    field: '$.header.txRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderStateRootFieldEvent {
    field: '$.header.stateRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderTargetFieldEvent {
    field: '$.header.target'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderMinerFieldEvent {
    field: '$.header.miner'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderRewardFieldEvent {
    field: '$.header.reward'
    value: bigint
  }

  export interface BlockHeaderNonceFieldEvent {
    field: '$.header.nonce'
    value: bigint
  }

  export interface BlockHeaderMmrRootFieldEvent {
    field: '$.header.mmrRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockHeaderValidatorsHashFieldEvent {
    field: '$.header.validatorsHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockTxsChainIdFieldEvent {
    field: '$.txs[].chainId'
    value: string
    index: number
  }

  export interface BlockTxsSenderPubKeyFieldEvent {
    field: '$.txs[].senderPubKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BlockTxsRecipientFieldEvent {
    field: '$.txs[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BlockTxsAmountFieldEvent {
    field: '$.txs[].amount'
    value: bigint
    index: number
  }

  export interface BlockTxsFeeFieldEvent {
    field: '$.txs[].fee'
    value: bigint
    index: number
  }

  export interface BlockTxsNonceFieldEvent {
    field: '$.txs[].nonce'
    value: bigint
    index: number
  }

  export interface BlockTxsMemoFieldEvent {
    field: '$.txs[].memo'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BlockTxsSignatureFieldEvent {
    field: '$.txs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BlockTxsKindFieldEvent {
    field: '$.txs[].kind'
    value: number
    index: number
  }

  export interface BlockTxsPayloadFieldEvent {
    field: '$.txs[].payload'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Block>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Block.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Block>): Block {
    return decodeMessage(buf, Block.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Block>): Generator<BlockHeaderVersionFieldEvent | BlockHeaderHeightFieldEvent | BlockHeaderParentHashFieldEvent | BlockHeaderTimestampFieldEvent | BlockHeaderTxRootFieldEvent | BlockHeaderStateRootFieldEvent | BlockHeaderTargetFieldEvent | BlockHeaderMinerFieldEvent | BlockHeaderRewardFieldEvent | BlockHeaderNonceFieldEvent | BlockHeaderMmrRootFieldEvent | BlockHeaderValidatorsHashFieldEvent | BlockTxsChainIdFieldEvent | BlockTxsSenderPubKeyFieldEvent | BlockTxsRecipientFieldEvent | BlockTxsAmountFieldEvent | BlockTxsFeeFieldEvent | BlockTxsNonceFieldEvent | BlockTxsMemoFieldEvent | BlockTxsSignatureFieldEvent | BlockTxsKindFieldEvent | BlockTxsPayloadFieldEvent> {
    return streamMessage(buf, Block.codec(), opts)
  }
}

export interface Account {
  balance: bigint
  nonce: bigint
  stake?: Stake
}

export namespace Account {
  let _codec: Codec<Account>

  export const codec = (): Codec<Account> => {
    if (_codec == null) {
      _codec = message<Account>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.balance != null && obj.balance !== 0n)) {
          w.uint32(8)
          w.uint64(obj.balance)
        }

        if ((obj.nonce != null && obj.nonce !== 0n)) {
          w.uint32(16)
          w.uint64(obj.nonce)
        }

        if (obj.stake != null) {
          w.uint32(26)
          Stake.codec().encode(obj.stake, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          balance: 0n,
          nonce: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.balance = reader.uint64()
              break
            }
            case 2: {
              obj.nonce = reader.uint64()
              break
            }
            case 3: {
              obj.stake = Stake.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.stake
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
              yield {
                field: `${prefix}.balance`,
                value: reader.uint64()
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
              yield * Stake.codec().stream(reader, reader.uint32(), `${prefix}.stake`, {
                limits: opts.limits?.stake
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

  export interface AccountBalanceFieldEvent {
    field: '$.balance'
    value: bigint
  }

  export interface AccountNonceFieldEvent {
    field: '$.nonce'
    value: bigint
  }

  export interface AccountStakePublicKeyFieldEvent {
    field: '$.stake.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AccountStakeBondedFieldEvent {
    field: '$.stake.bonded'
    value: bigint
  }

  export interface AccountStakeUnbondingAmountFieldEvent {
    field: '$.stake.unbonding[].amount'
    value: bigint
    index: number
  }

  export interface AccountStakeUnbondingStartHeightFieldEvent {
    field: '$.stake.unbonding[].startHeight'
    value: bigint
    index: number
  }

  export interface AccountStakeUnbondingReleaseHeightFieldEvent {
    field: '$.stake.unbonding[].releaseHeight'
    value: bigint
    index: number
  }

  export interface AccountStakeJailedUntilFieldEvent {
    field: '$.stake.jailedUntil'
    value: bigint
  }

  export function encode (obj: Partial<Account>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Account.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Account>): Account {
    return decodeMessage(buf, Account.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Account>): Generator<AccountBalanceFieldEvent | AccountNonceFieldEvent | AccountStakePublicKeyFieldEvent | AccountStakeBondedFieldEvent | AccountStakeUnbondingAmountFieldEvent | AccountStakeUnbondingStartHeightFieldEvent | AccountStakeUnbondingReleaseHeightFieldEvent | AccountStakeJailedUntilFieldEvent> {
    return streamMessage(buf, Account.codec(), opts)
  }
}

export interface Stake {
  publicKey: Uint8Array<ArrayBuffer>
  bonded: bigint
  unbonding: Unbonding[]
  jailedUntil: bigint
}

export namespace Stake {
  let _codec: Codec<Stake>

  export const codec = (): Codec<Stake> => {
    if (_codec == null) {
      _codec = message<Stake>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.publicKey)
        }

        if ((obj.bonded != null && obj.bonded !== 0n)) {
          w.uint32(16)
          w.uint64(obj.bonded)
        }

        if (obj.unbonding != null && obj.unbonding.length > 0) {
          for (const value of obj.unbonding) {
            w.uint32(26)
            Unbonding.codec().encode(value, w)
          }
        }

        if ((obj.jailedUntil != null && obj.jailedUntil !== 0n)) {
          w.uint32(32)
          w.uint64(obj.jailedUntil)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          publicKey: uint8ArrayAlloc(0),
          bonded: 0n,
          unbonding: [],
          jailedUntil: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.publicKey = reader.bytes()
              break
            }
            case 2: {
              obj.bonded = reader.uint64()
              break
            }
            case 3: {
              if (opts.limits?.unbonding != null && obj.unbonding.length === opts.limits.unbonding) {
                throw new MaxLengthError('Decode error - repeated field "unbonding" had too many elements')
              }

              obj.unbonding.push(Unbonding.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.unbonding$
              }))
              break
            }
            case 4: {
              obj.jailedUntil = reader.uint64()
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
          unbonding: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bonded`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              if (opts.limits?.unbonding != null && obj.unbonding === opts.limits.unbonding) {
                throw new MaxLengthError('Streaming decode error - repeated field "unbonding" had too many elements')
              }

              for (const evt of Unbonding.codec().stream(reader, reader.uint32(), `${prefix}.unbonding[]`, {
                limits: opts.limits?.unbonding$
              })) {
                yield {
                  ...evt,
                  index: obj.unbonding
                }
              }

              obj.unbonding++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.jailedUntil`,
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

  export interface StakePublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StakeBondedFieldEvent {
    field: '$.bonded'
    value: bigint
  }

  export interface StakeUnbondingAmountFieldEvent {
    field: '$.unbonding[].amount'
    value: bigint
    index: number
  }

  export interface StakeUnbondingStartHeightFieldEvent {
    field: '$.unbonding[].startHeight'
    value: bigint
    index: number
  }

  export interface StakeUnbondingReleaseHeightFieldEvent {
    field: '$.unbonding[].releaseHeight'
    value: bigint
    index: number
  }

  export interface StakeJailedUntilFieldEvent {
    field: '$.jailedUntil'
    value: bigint
  }

  export function encode (obj: Partial<Stake>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Stake.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Stake>): Stake {
    return decodeMessage(buf, Stake.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Stake>): Generator<StakePublicKeyFieldEvent | StakeBondedFieldEvent | StakeUnbondingAmountFieldEvent | StakeUnbondingStartHeightFieldEvent | StakeUnbondingReleaseHeightFieldEvent | StakeJailedUntilFieldEvent> {
    return streamMessage(buf, Stake.codec(), opts)
  }
}

export interface Unbonding {
  amount: bigint
  startHeight: bigint
  releaseHeight: bigint
}

export namespace Unbonding {
  let _codec: Codec<Unbonding>

  export const codec = (): Codec<Unbonding> => {
    if (_codec == null) {
      _codec = message<Unbonding>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(8)
          w.uint64(obj.amount)
        }

        if ((obj.startHeight != null && obj.startHeight !== 0n)) {
          w.uint32(16)
          w.uint64(obj.startHeight)
        }

        if ((obj.releaseHeight != null && obj.releaseHeight !== 0n)) {
          w.uint32(24)
          w.uint64(obj.releaseHeight)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          amount: 0n,
          startHeight: 0n,
          releaseHeight: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.amount = reader.uint64()
              break
            }
            case 2: {
              obj.startHeight = reader.uint64()
              break
            }
            case 3: {
              obj.releaseHeight = reader.uint64()
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
                field: `${prefix}.amount`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.startHeight`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.releaseHeight`,
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

  export interface UnbondingAmountFieldEvent {
    field: '$.amount'
    value: bigint
  }

  export interface UnbondingStartHeightFieldEvent {
    field: '$.startHeight'
    value: bigint
  }

  export interface UnbondingReleaseHeightFieldEvent {
    field: '$.releaseHeight'
    value: bigint
  }

  export function encode (obj: Partial<Unbonding>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Unbonding.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Unbonding>): Unbonding {
    return decodeMessage(buf, Unbonding.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Unbonding>): Generator<UnbondingAmountFieldEvent | UnbondingStartHeightFieldEvent | UnbondingReleaseHeightFieldEvent> {
    return streamMessage(buf, Unbonding.codec(), opts)
  }
}
