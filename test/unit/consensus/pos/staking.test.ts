import { describe, expect, it } from 'vitest'
import { duplicateVoteEvidence, encodeEvidence } from '../../../../src/consensus/bft/evidence.js'
import type { Validator } from '../../../../src/consensus/bft/validators.js'
import { signVote, type Vote } from '../../../../src/consensus/bft/vote.js'
import { JAILED_FOREVER } from '../../../../src/consensus/pos/stake-record.js'
import { PosStateRules } from '../../../../src/consensus/pos/staking.js'
import { ValidatorSet } from '../../../../src/consensus/pos/validator-set.js'
import { addressFromPublicKey } from '../../../../src/ledger/address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../../../../src/ledger/crypto.js'
import { isVerifyError } from '../../../../src/ledger/errors.js'
import type { AccountStake } from '../../../../src/ledger/stake.js'
import { type Account, applyTx, StateOverlay } from '../../../../src/ledger/state.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { TX_KIND } from '../../../../src/ledger/tx-kind.js'
import { toHex } from '../../../../src/util/bytes.js'

const CHAIN = 'staking-test'
const COIN = 100_000_000n
const key = (name: string): KeyPair => keyPairFromSeed(sha256(new TextEncoder().encode(name)))
const VALIDATOR_KEYS = [0, 1, 2, 3].map((i) => key(`validator ${i}`))
const VALIDATORS: Validator[] = VALIDATOR_KEYS.map((k) => ({
  address: addressFromPublicKey(k.publicKey),
  publicKey: k.publicKey,
  power: 10n,
}))
const SET = ValidatorSet.create(VALIDATORS)
const USER = key('user')
const USER_ADDRESS = addressFromPublicKey(USER.publicKey)
const OUTSIDER = key('outsider')

const PARAMS = {
  chainId: CHAIN,
  epochLength: 10,
  unbondingBlocks: 20,
  slashDoubleSignBps: 1_000,
  selection: { validatorsMax: 10, stakeMin: COIN, powerReduction: COIN },
}

/** Rules whose every height is signed by SET. */
const rules = new PosStateRules(PARAMS, () => SET)

function state(accounts: Record<string, Account>): StateOverlay {
  return new StateOverlay((hex) => accounts[hex])
}

function staked(k: KeyPair, bonded: bigint, balance = 0n): Account {
  return { balance, nonce: 0n, stake: { publicKey: k.publicKey, bonded, unbonding: [] } }
}

function tx(kind: number, amount: bigint, opts: { nonce?: bigint; payload?: Uint8Array; from?: KeyPair } = {}): Tx {
  const from = opts.from ?? USER
  return Tx.create(
    {
      chainId: CHAIN,
      recipient: addressFromPublicKey(from.publicKey),
      amount,
      fee: 1_000n,
      nonce: opts.nonce ?? 0n,
      kind,
      payload: opts.payload,
    },
    from,
  )
}

function vote(signer: number, height: number, hash: number, by: KeyPair = VALIDATOR_KEYS[signer] as KeyPair): Vote {
  return signVote(
    CHAIN,
    {
      type: 'precommit',
      height: BigInt(height),
      round: 0,
      blockHash: new Uint8Array(32).fill(hash),
      validator: (VALIDATORS[signer] as Validator).address,
    },
    by.secretKey,
  )
}

const evidence = (a: Vote, b: Vote): Uint8Array => encodeEvidence(duplicateVoteEvidence(a, b))
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    if (isVerifyError(err)) return err.code
    throw err
  }
  return undefined
}
const at = (height: number) => ({ rules, height })
const hex = (k: KeyPair): string => toHex(addressFromPublicKey(k.publicKey))

describe('stake and unstake', () => {
  it('bonds from the balance and records the key; unbonds into an entry released at an epoch end after the period', () => {
    const s = state({ [toHex(USER_ADDRESS)]: { balance: 10n * COIN, nonce: 0n } })
    applyTx(s, tx(TX_KIND.stake, 4n * COIN), at(5))
    expect(s.get(USER_ADDRESS)).toEqual({
      balance: 6n * COIN - 1_000n,
      nonce: 1n,
      stake: { publicKey: USER.publicKey, bonded: 4n * COIN, unbonding: [] },
    })
    applyTx(s, tx(TX_KIND.unstake, COIN, { nonce: 1n }), at(7))
    const after = s.get(USER_ADDRESS)
    expect(after.balance).toBe(6n * COIN - 2_000n)
    expect(after.stake?.bonded).toBe(3n * COIN)
    expect(after.stake?.unbonding).toEqual([{ amount: COIN, startHeight: 7, releaseHeight: 27 }])
    // not yet at the epoch end of height 19 …
    rules.endEpoch(s, [USER_ADDRESS], 19)
    expect(s.get(USER_ADDRESS).balance).toBe(6n * COIN - 2_000n)
    // … released at the first epoch end at or after 27
    const chosen = rules.endEpoch(s, [USER_ADDRESS], 29)
    expect(s.get(USER_ADDRESS).balance).toBe(7n * COIN - 2_000n)
    expect(s.get(USER_ADDRESS).stake?.unbonding).toEqual([])
    expect(chosen).toEqual([{ address: USER_ADDRESS, publicKey: USER.publicKey, power: 3n }])
  })

  it('drops a stake that holds nothing once its unbonding is released', () => {
    const s = state({ [toHex(USER_ADDRESS)]: staked(USER, COIN, 5_000n) })
    applyTx(s, tx(TX_KIND.unstake, COIN), at(1))
    expect(rules.endEpoch(s, [USER_ADDRESS], 29)).toEqual([])
    expect(s.get(USER_ADDRESS)).toEqual({ balance: COIN + 4_000n, nonce: 1n })
  })

  it('keeps an unbonding entry whose release would take the balance past u64', () => {
    const full = (1n << 64n) - 1n
    const s = state({
      [toHex(USER_ADDRESS)]: {
        balance: full,
        nonce: 0n,
        stake: { publicKey: USER.publicKey, bonded: 0n, unbonding: [{ amount: 5n, startHeight: 1, releaseHeight: 2 }] },
      },
    })
    rules.endEpoch(s, [USER_ADDRESS], 9)
    expect(s.changes()).toEqual([])
  })

  it('refuses an unstake past the bonded stake, past the entry cap, and a stake for a tombstoned validator, leaving the state as it was', () => {
    const s = state({ [toHex(USER_ADDRESS)]: staked(USER, 10n, COIN) })
    expect(codeOf(() => applyTx(s, tx(TX_KIND.unstake, 11n), at(1)))).toBe('TX_INSUFFICIENT_STAKE')
    for (let i = 0n; i < 8n; i++) applyTx(s, tx(TX_KIND.unstake, 1n, { nonce: i }), at(1))
    expect(codeOf(() => applyTx(s, tx(TX_KIND.unstake, 1n, { nonce: 8n }), at(1)))).toBe('TX_UNBONDING_FULL')
    const before = s.get(USER_ADDRESS)
    const tomb = state({
      [toHex(USER_ADDRESS)]: { ...before, stake: { ...(before.stake as AccountStake), jailedUntil: JAILED_FOREVER } },
    })
    expect(codeOf(() => applyTx(tomb, tx(TX_KIND.stake, 1n, { nonce: 8n }), at(1)))).toBe('TX_VALIDATOR_TOMBSTONED')
    expect(tomb.changes()).toEqual([])
    expect(codeOf(() => applyTx(state({}), tx(TX_KIND.unstake, 1n), at(1)))).toBe('TX_INSUFFICIENT_BALANCE')
  })

  it('refuses every kind but transfer on a chain without staking rules', () => {
    const s = state({ [toHex(USER_ADDRESS)]: { balance: COIN, nonce: 0n } })
    expect(codeOf(() => applyTx(s, tx(TX_KIND.stake, 1n)))).toBe('TX_KIND_UNSUPPORTED')
  })
})

describe('evidence', () => {
  const accounts = (): Record<string, Account> => ({
    [toHex(USER_ADDRESS)]: { balance: COIN, nonce: 0n },
    [hex(VALIDATOR_KEYS[0] as KeyPair)]: staked(VALIDATOR_KEYS[0] as KeyPair, 100n * COIN),
  })
  const offender = VALIDATORS[0]?.address as Uint8Array

  it('burns the stated fraction of the offender, jails it for good, and charges the reporter only the fee', () => {
    const s = state(accounts())
    const payload = evidence(vote(0, 8, 1), vote(0, 8, 2))
    const report = tx(TX_KIND.evidence, 0n, { payload })
    expect(rules.extraAddresses(report)).toEqual([offender])
    applyTx(s, report, at(10))
    expect(s.get(offender).stake).toEqual({
      publicKey: VALIDATOR_KEYS[0]?.publicKey,
      bonded: 90n * COIN,
      unbonding: [],
      jailedUntil: JAILED_FOREVER,
    })
    expect(s.get(USER_ADDRESS)).toEqual({ balance: COIN - 1_000n, nonce: 1n })
    // a jailed validator is left out of the next set, whatever its stake
    expect(rules.endEpoch(s, [offender], 19).map((v) => toHex(v.address))).toEqual([])
    // the same double-sign, or another by the same validator, is punished once
    const again = tx(TX_KIND.evidence, 0n, { payload: evidence(vote(0, 9, 3), vote(0, 9, 4)), nonce: 1n })
    expect(codeOf(() => applyTx(s, again, at(11)))).toBe('EVIDENCE_DUPLICATE')
  })

  it('never convicts an innocent validator: a forged vote, two validators, or one vote twice are refused', () => {
    const forged = evidence(vote(1, 8, 1), vote(1, 8, 2, OUTSIDER))
    const twoValidators = evidence(vote(0, 8, 1), vote(1, 8, 2))
    const same = vote(0, 8, 1)
    for (const [payload, code] of [
      [forged, 'EVIDENCE_BAD_SIGNATURE'],
      [twoValidators, 'EVIDENCE_NOT_CONFLICTING'],
    ] as const) {
      const s = state(accounts())
      expect(codeOf(() => applyTx(s, tx(TX_KIND.evidence, 0n, { payload }), at(10)))).toBe(code)
      expect(s.changes()).toEqual([])
    }
    expect(() => duplicateVoteEvidence(same, same)).not.toThrow()
    const s = state(accounts())
    expect(codeOf(() => applyTx(s, tx(TX_KIND.evidence, 0n, { payload: evidence(same, same) }), at(10)))).toBe(
      'EVIDENCE_NOT_CONFLICTING',
    )
  })

  it('refuses evidence older than the unbonding period, of a height not yet past, and of a signer outside that height’s set', () => {
    const payload = evidence(vote(0, 8, 1), vote(0, 8, 2))
    expect(codeOf(() => applyTx(state(accounts()), tx(TX_KIND.evidence, 0n, { payload }), at(29)))).toBe(
      'EVIDENCE_TOO_OLD',
    )
    expect(codeOf(() => applyTx(state(accounts()), tx(TX_KIND.evidence, 0n, { payload }), at(8)))).toBe(
      'EVIDENCE_FROM_FUTURE',
    )
    // another epoch's set, without validator 0: its old votes convict nobody there
    const otherSet = ValidatorSet.create(VALIDATORS.slice(1))
    const later = new PosStateRules(PARAMS, () => otherSet)
    expect(
      codeOf(() => applyTx(state(accounts()), tx(TX_KIND.evidence, 0n, { payload }), { rules: later, height: 10 })),
    ).toBe('EVIDENCE_UNKNOWN_VALIDATOR')
  })

  it('slashes unbonding begun at or after the infraction, not before it', () => {
    const k = VALIDATOR_KEYS[0] as KeyPair
    const s = state({
      [toHex(USER_ADDRESS)]: { balance: COIN, nonce: 0n },
      [hex(k)]: {
        balance: 0n,
        nonce: 0n,
        stake: {
          publicKey: k.publicKey,
          bonded: 0n,
          unbonding: [
            { amount: 1_000n, startHeight: 5, releaseHeight: 25 },
            { amount: 1_000n, startHeight: 9, releaseHeight: 29 },
          ],
        },
      },
    })
    applyTx(s, tx(TX_KIND.evidence, 0n, { payload: evidence(vote(0, 8, 1), vote(0, 8, 2)) }), at(10))
    expect(s.get(offender).stake?.unbonding.map((e) => e.amount)).toEqual([1_000n, 900n])
  })

  it('a validator reporting itself is slashed as it stands after paying the fee', () => {
    const k = VALIDATOR_KEYS[0] as KeyPair
    const s = state({ [hex(k)]: staked(k, 100n * COIN, COIN) })
    applyTx(s, tx(TX_KIND.evidence, 0n, { payload: evidence(vote(0, 8, 1), vote(0, 8, 2)), from: k }), at(10))
    expect(s.get(offender)).toMatchObject({ balance: COIN - 1_000n, nonce: 1n, stake: { bonded: 90n * COIN } })
  })
})
