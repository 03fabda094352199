/** The stateless rules of each tx kind (rules/tx.ts checkTxKind), on a proof-of-stake chain and off it. */
import { describe, expect, it } from 'vitest'
import { duplicateVoteEvidence, encodeEvidence } from '../../../../src/consensus/bft/evidence.js'
import { BFT_LIMITS } from '../../../../src/consensus/bft/limits.js'
import { isStaking } from '../../../../src/consensus/engine.js'
import { PosEngine } from '../../../../src/consensus/pos/engine.js'
import { genesisValidators, posEngineOf } from '../../../../src/consensus/pos/genesis-set.js'
import { PosStateRules } from '../../../../src/consensus/pos/staking.js'
import { PowEngine } from '../../../../src/consensus/pow/engine.js'
import { Block } from '../../../../src/ledger/block.js'
import { BlockTxError } from '../../../../src/ledger/errors.js'
import { devnetGenesis, devnetPosGenesis } from '../../../../src/ledger/genesis.js'
import { checkBlockBody } from '../../../../src/ledger/rules/block.js'
import { checkTxStateless, type TxContext } from '../../../../src/ledger/rules/tx.js'
import { applyTx, StateOverlay } from '../../../../src/ledger/state.js'
import type { Tx } from '../../../../src/ledger/tx.js'
import { TX_KIND } from '../../../../src/ledger/tx-kind.js'
import { blockHash, RoundRobinSet, voteBy } from '../../consensus/bft/helpers.js'
import {
  addressOf,
  blockOf,
  bytesOf,
  CHAIN_ID,
  expectVerifyError,
  hex,
  limits,
  signedTx,
  type TxSpec,
  thrownBy,
} from '../fixtures.js'

const pow: TxContext = { chainId: CHAIN_ID, limits: limits(), staking: false }
const pos: TxContext = { ...pow, staking: true }

/** Validator 2's double prevote, and encoded: a well-formed evidence payload. */
const CANONICAL = duplicateVoteEvidence(
  voteBy(2, { blockHash: blockHash('A') }),
  voteBy(2, { blockHash: blockHash('B') }),
)
const EVIDENCE = encodeEvidence(CANONICAL)

/** A tx of `kind` from test key 0, well-formed for its kind unless `spec` says otherwise. */
function ofKind(kind: number, spec: TxSpec = {}): Tx {
  const self = addressOf(0)
  const base: TxSpec =
    kind === TX_KIND.evidence
      ? { kind, amount: 0n, recipient: self, payload: EVIDENCE }
      : kind === TX_KIND.transfer
        ? { kind }
        : { kind, amount: 500n, recipient: self }
  return signedTx({ ...base, ...spec }, 0)
}

const STAKING_KINDS = [
  ['stake', TX_KIND.stake],
  ['unstake', TX_KIND.unstake],
  ['evidence', TX_KIND.evidence],
] as const

describe('kinds on a proof-of-stake chain (staking: true)', () => {
  it.each([['transfer', TX_KIND.transfer] as const, ...STAKING_KINDS])('a well-formed %s passes', (_name, kind) => {
    expect(() => checkTxStateless(ofKind(kind), pos)).not.toThrow()
  })

  it.each([4, 5, 255, 2 ** 32 - 1])('TX_BAD_KIND: kind %i, on either chain', (kind) => {
    expectVerifyError(
      () => checkTxStateless(ofKind(kind, { amount: 1n, recipient: addressOf(0) }), pos),
      'TX_BAD_KIND',
      'reject',
    )
    expectVerifyError(() => checkTxStateless(ofKind(kind), pow), 'TX_BAD_KIND', 'reject')
  })

  it('TX_BAD_PAYLOAD: a transfer with a payload, on either chain', () => {
    for (const ctx of [pos, pow]) {
      expectVerifyError(
        () => checkTxStateless(ofKind(TX_KIND.transfer, { payload: bytesOf(1, 1) }), ctx),
        'TX_BAD_PAYLOAD',
        'reject',
      )
    }
  })

  describe.each([
    ['stake', TX_KIND.stake],
    ['unstake', TX_KIND.unstake],
  ] as const)('%s', (name, kind) => {
    it('TX_BAD_FIELD: amount 0', () => {
      const err = expectVerifyError(() => checkTxStateless(ofKind(kind, { amount: 0n }), pos), 'TX_BAD_FIELD', 'reject')
      expect(err.message).toContain(`amount of a ${name} tx`)
      expect(() => checkTxStateless(ofKind(kind, { amount: 1n }), pos)).not.toThrow()
    })

    it("TX_BAD_FIELD: a recipient other than the sender's own address", () => {
      const err = expectVerifyError(
        () => checkTxStateless(ofKind(kind, { recipient: addressOf(1) }), pos),
        'TX_BAD_FIELD',
        'reject',
      )
      expect(err.message).toContain('recipient')
    })

    it('TX_BAD_PAYLOAD: a payload', () => {
      expectVerifyError(() => checkTxStateless(ofKind(kind, { payload: EVIDENCE }), pos), 'TX_BAD_PAYLOAD', 'reject')
    })
  })

  describe('evidence', () => {
    const evidence = (spec: TxSpec): Tx => ofKind(TX_KIND.evidence, spec)

    it('TX_BAD_FIELD: an amount', () => {
      const err = expectVerifyError(() => checkTxStateless(evidence({ amount: 1n }), pos), 'TX_BAD_FIELD', 'reject')
      expect(err.message).toContain('amount of an evidence tx is 0')
    })

    it("TX_BAD_FIELD: a recipient other than the reporter's own address", () => {
      expectVerifyError(() => checkTxStateless(evidence({ recipient: addressOf(2) }), pos), 'TX_BAD_FIELD', 'reject')
    })

    it('TX_BAD_PAYLOAD: no payload', () => {
      expectVerifyError(
        () => checkTxStateless(evidence({ payload: new Uint8Array(0) }), pos),
        'TX_BAD_PAYLOAD',
        'reject',
      )
    })

    it('TX_BAD_PAYLOAD: a payload above evidenceBytesMax, before it is decoded', () => {
      const big = bytesOf(BFT_LIMITS.evidenceBytesMax + 1, 0)
      const err = expectVerifyError(() => checkTxStateless(evidence({ payload: big }), pos), 'TX_BAD_PAYLOAD', 'reject')
      expect(err.message).toContain(`> ${BFT_LIMITS.evidenceBytesMax}`)
    })

    // Whether the payload decodes is the staking rules' (consensus/pos/staking.ts): the tx rules are
    // ledger's and import nothing of consensus/. The mempool asks both before it relays a tx.
    const NOT_EVIDENCE = [
      bytesOf(10, 0xff),
      EVIDENCE.subarray(0, -1),
      Uint8Array.from([...EVIDENCE, 0x18, 0x01]),
      // the two votes in the wrong order: non-canonical
      encodeEvidence({ voteA: CANONICAL.voteB, voteB: CANONICAL.voteA }),
      // a malformed vote (EVIDENCE_BAD_VOTE of the decoder)
      encodeEvidence({ voteA: CANONICAL.voteA, voteB: { ...CANONICAL.voteB, height: 0n } }),
    ]

    it('TX_BAD_PAYLOAD from the staking rules: bytes that are not evidence, strictly decoded', () => {
      const rules = new PosStateRules(
        {
          chainId: CHAIN_ID,
          epochLength: 10,
          unbondingBlocks: 100,
          slashDoubleSignBps: 500,
          selection: { validatorsMax: 10, stakeMin: 1n, powerReduction: 1n },
        },
        () => new RoundRobinSet([1n, 1n, 1n, 1n]),
      )
      for (const payload of NOT_EVIDENCE) {
        const tx = evidence({ payload })
        expect(() => checkTxStateless(tx, pos)).not.toThrow()
        const state = new StateOverlay(() => ({ balance: 10n ** 9n, nonce: 0n }))
        const err = expectVerifyError(() => applyTx(state, tx, { rules, height: 5 }), 'TX_BAD_PAYLOAD', 'reject')
        expect(err.message).toContain('evidence does not decode')
        expect(state.changes()).toEqual([])
      }
    })
  })
})

describe('kinds on a chain without stake (staking: false)', () => {
  it.each(STAKING_KINDS)('TX_KIND_UNSUPPORTED: a well-formed %s', (name, kind) => {
    const err = expectVerifyError(() => checkTxStateless(ofKind(kind), pow), 'TX_KIND_UNSUPPORTED', 'reject')
    expect(err.message).toContain(name)
  })

  it('a transfer passes, as before kinds', () => {
    expect(() => checkTxStateless(ofKind(TX_KIND.transfer), pow)).not.toThrow()
  })

  it('a block body holds its txs to the same rules: a stake tx makes a PoW block invalid, a PoS block not', () => {
    const block = blockOf([signedTx({}, 1), ofKind(TX_KIND.stake)])
    const err = thrownBy(() => checkBlockBody(block, pow)) as BlockTxError
    expect(err).toBeInstanceOf(BlockTxError)
    expect(err.txIndex).toBe(1)
    expect(err.cause.code).toBe('TX_KIND_UNSUPPORTED')
    expect(() => checkBlockBody(block, pos)).not.toThrow()
  })

  it('a tx of a decoded block reads its kind and payload from its bytes', () => {
    const block = Block.fromBytes(blockOf([ofKind(TX_KIND.evidence)]).bytes)
    const tx = block.txs[0] as Tx
    expect(tx.kind).toBe(TX_KIND.evidence)
    expect(hex(tx.fields.payload)).toBe(hex(EVIDENCE))
    expect(() => checkBlockBody(block, pos)).not.toThrow()
  })
})

describe('isStaking: where every TxContext.staking comes from', () => {
  it('is true for the proof-of-stake engine of a PoS genesis, with its stake rules', () => {
    const genesis = devnetPosGenesis(4)
    expect(isStaking(posEngineOf(genesis))).toBe(true)
    // a PoS engine without state rules for stake has no place for these txs
    expect(isStaking(new PosEngine({ chainId: genesis.chainId, validators: genesisValidators(genesis) }))).toBe(false)
  })

  it('is false for proof of work', async () => {
    const engine = new PowEngine(devnetGenesis().params)
    expect(isStaking(engine)).toBe(false)
    await engine.close()
  })
})
