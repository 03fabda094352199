import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Vote {
  type: number
  height: bigint
  round: number
  blockHash: Uint8Array<ArrayBuffer>
  validator: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  resend: number
}

export namespace Vote {
  let _codec: Codec<Vote>

  export const codec = (): Codec<Vote> => {
    if (_codec == null) {
      _codec = message<Vote>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.type != null && obj.type !== 0)) {
          w.uint32(8)
          w.uint32(obj.type)
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(16)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.blockHash)
        }

        if ((obj.validator != null && obj.validator.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.validator)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if ((obj.resend != null && obj.resend !== 0)) {
          w.uint32(56)
          w.uint32(obj.resend)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: 0,
          height: 0n,
          round: 0,
          blockHash: uint8ArrayAlloc(0),
          validator: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          resend: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = reader.uint32()
              break
            }
            case 2: {
              obj.height = reader.uint64()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.blockHash = reader.bytes()
              break
            }
            case 5: {
              obj.validator = reader.bytes()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
              break
            }
            case 7: {
              obj.resend = reader.uint32()
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
                field: `${prefix}.type`,
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
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.blockHash`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.validator`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.resend`,
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

  export interface VoteTypeFieldEvent {
    field: '$.type'
    value: number
  }

  export interface VoteHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface VoteRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface VoteBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteValidatorFieldEvent {
    field: '$.validator'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteResendFieldEvent {
    field: '$.resend'
    value: number
  }

  export function encode (obj: Partial<Vote>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Vote.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Vote>): Vote {
    return decodeMessage(buf, Vote.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Vote>): Generator<VoteTypeFieldEvent | VoteHeightFieldEvent | VoteRoundFieldEvent | VoteBlockHashFieldEvent | VoteValidatorFieldEvent | VoteSignatureFieldEvent | VoteResendFieldEvent> {
    return streamMessage(buf, Vote.codec(), opts)
  }
}

export interface Proposal {
  height: bigint
  round: number
  polRound: number
  blockHash: Uint8Array<ArrayBuffer>
  proposer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Proposal {
  let _codec: Codec<Proposal>

  export const codec = (): Codec<Proposal> => {
    if (_codec == null) {
      _codec = message<Proposal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(8)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.polRound != null && obj.polRound !== 0)) {
          w.uint32(24)
          w.sint32(obj.polRound)
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.blockHash)
        }

        if ((obj.proposer != null && obj.proposer.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.proposer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          round: 0,
          polRound: 0,
          blockHash: uint8ArrayAlloc(0),
          proposer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.height = reader.uint64()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.polRound = reader.sint32()
              break
            }
            case 4: {
              obj.blockHash = reader.bytes()
              break
            }
            case 5: {
              obj.proposer = reader.bytes()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
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
            case 2: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.polRound`,
                value: reader.sint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.blockHash`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.proposer`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
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

  export interface ProposalHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface ProposalRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface ProposalPolRoundFieldEvent {
    field: '$.polRound'
    value: number
  }

  export interface ProposalBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProposalProposerFieldEvent {
    field: '$.proposer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProposalSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Proposal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Proposal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proposal>): Proposal {
    return decodeMessage(buf, Proposal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proposal>): Generator<ProposalHeightFieldEvent | ProposalRoundFieldEvent | ProposalPolRoundFieldEvent | ProposalBlockHashFieldEvent | ProposalProposerFieldEvent | ProposalSignatureFieldEvent> {
    return streamMessage(buf, Proposal.codec(), opts)
  }
}

export interface DuplicateVoteEvidence {
  voteA?: Vote
  voteB?: Vote
}

export namespace DuplicateVoteEvidence {
  let _codec: Codec<DuplicateVoteEvidence>

  export const codec = (): Codec<DuplicateVoteEvidence> => {
    if (_codec == null) {
      _codec = message<DuplicateVoteEvidence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.voteA != null) {
          w.uint32(10)
          Vote.codec().encode(obj.voteA, w)
        }

        if (obj.voteB != null) {
          w.uint32(18)
          Vote.codec().encode(obj.voteB, w)
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
              obj.voteA = Vote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.voteA
              })
              break
            }
            case 2: {
              obj.voteB = Vote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.voteB
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
              yield * Vote.codec().stream(reader, reader.uint32(), `${prefix}.voteA`, {
                limits: opts.limits?.voteA
              })

              break
            }
            case 2: {
              yield * Vote.codec().stream(reader, reader.uint32(), `${prefix}.voteB`, {
                limits: opts.limits?.voteB
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

  export interface DuplicateVoteEvidenceVoteATypeFieldEvent {
    field: '$.voteA.type'
    value: number
  }

  export interface DuplicateVoteEvidenceVoteAHeightFieldEvent {
    field: '$.voteA.height'
    value: bigint
  }

  export interface DuplicateVoteEvidenceVoteARoundFieldEvent {
    field: '$.voteA.round'
    value: number
  }

  export interface DuplicateVoteEvidenceVoteABlockHashFieldEvent {
    field: '$.voteA.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteAValidatorFieldEvent {
    field: '$.voteA.validator'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteASignatureFieldEvent {
    field: '$.voteA.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteAResendFieldEvent {
    field: '$.voteA.resend'
    value: number
  }

  export interface DuplicateVoteEvidenceVoteBTypeFieldEvent {
    field: '$.voteB.type'
    value: number
  }

  export interface DuplicateVoteEvidenceVoteBHeightFieldEvent {
    field: '$.voteB.height'
    value: bigint
  }

  export interface DuplicateVoteEvidenceVoteBRoundFieldEvent {
    field: '$.voteB.round'
    value: number
  }

  export interface DuplicateVoteEvidenceVoteBBlockHashFieldEvent {
    field: '$.voteB.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteBValidatorFieldEvent {
    field: '$.voteB.validator'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteBSignatureFieldEvent {
    field: '$.voteB.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DuplicateVoteEvidenceVoteBResendFieldEvent {
    field: '$.voteB.resend'
    value: number
  }

  export function encode (obj: Partial<DuplicateVoteEvidence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DuplicateVoteEvidence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DuplicateVoteEvidence>): DuplicateVoteEvidence {
    return decodeMessage(buf, DuplicateVoteEvidence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DuplicateVoteEvidence>): Generator<DuplicateVoteEvidenceVoteATypeFieldEvent | DuplicateVoteEvidenceVoteAHeightFieldEvent | DuplicateVoteEvidenceVoteARoundFieldEvent | DuplicateVoteEvidenceVoteABlockHashFieldEvent | DuplicateVoteEvidenceVoteAValidatorFieldEvent | DuplicateVoteEvidenceVoteASignatureFieldEvent | DuplicateVoteEvidenceVoteAResendFieldEvent | DuplicateVoteEvidenceVoteBTypeFieldEvent | DuplicateVoteEvidenceVoteBHeightFieldEvent | DuplicateVoteEvidenceVoteBRoundFieldEvent | DuplicateVoteEvidenceVoteBBlockHashFieldEvent | DuplicateVoteEvidenceVoteBValidatorFieldEvent | DuplicateVoteEvidenceVoteBSignatureFieldEvent | DuplicateVoteEvidenceVoteBResendFieldEvent> {
    return streamMessage(buf, DuplicateVoteEvidence.codec(), opts)
  }
}

export interface CommitSig {
  validatorIndex: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace CommitSig {
  let _codec: Codec<CommitSig>

  export const codec = (): Codec<CommitSig> => {
    if (_codec == null) {
      _codec = message<CommitSig>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.validatorIndex != null && obj.validatorIndex !== 0)) {
          w.uint32(8)
          w.uint32(obj.validatorIndex)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          validatorIndex: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.validatorIndex = reader.uint32()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.validatorIndex`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
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

  export interface CommitSigValidatorIndexFieldEvent {
    field: '$.validatorIndex'
    value: number
  }

  export interface CommitSigSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommitSig>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommitSig.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitSig>): CommitSig {
    return decodeMessage(buf, CommitSig.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitSig>): Generator<CommitSigValidatorIndexFieldEvent | CommitSigSignatureFieldEvent> {
    return streamMessage(buf, CommitSig.codec(), opts)
  }
}

export interface Commit {
  height: bigint
  round: number
  blockHash: Uint8Array<ArrayBuffer>
  signatures: CommitSig[]
}

export namespace Commit {
  let _codec: Codec<Commit>

  export const codec = (): Codec<Commit> => {
    if (_codec == null) {
      _codec = message<Commit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(8)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.blockHash != null && obj.blockHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.blockHash)
        }

        if (obj.signatures != null && obj.signatures.length > 0) {
          for (const value of obj.signatures) {
            w.uint32(34)
            CommitSig.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          round: 0,
          blockHash: uint8ArrayAlloc(0),
          signatures: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.height = reader.uint64()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.blockHash = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.signatures != null && obj.signatures.length === opts.limits.signatures) {
                throw new MaxLengthError('Decode error - repeated field "signatures" had too many elements')
              }

              obj.signatures.push(CommitSig.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signatures$
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
          signatures: 0
        }

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
            case 2: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.blockHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.signatures != null && obj.signatures === opts.limits.signatures) {
                throw new MaxLengthError('Streaming decode error - repeated field "signatures" had too many elements')
              }

              for (const evt of CommitSig.codec().stream(reader, reader.uint32(), `${prefix}.signatures[]`, {
                limits: opts.limits?.signatures$
              })) {
                yield {
                  ...evt,
                  index: obj.signatures
                }
              }

              obj.signatures++

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

  export interface CommitHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface CommitRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface CommitBlockHashFieldEvent {
    field: '$.blockHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitSignaturesValidatorIndexFieldEvent {
    field: '$.signatures[].validatorIndex'
    value: number
    index: number
  }

  export interface CommitSignaturesSignatureFieldEvent {
    field: '$.signatures[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Commit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Commit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Commit {
    return decodeMessage(buf, Commit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Generator<CommitHeightFieldEvent | CommitRoundFieldEvent | CommitBlockHashFieldEvent | CommitSignaturesValidatorIndexFieldEvent | CommitSignaturesSignatureFieldEvent> {
    return streamMessage(buf, Commit.codec(), opts)
  }
}
