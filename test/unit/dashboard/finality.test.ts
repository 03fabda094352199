/** The dashboard's view of finality and of the validator: what the head card and the validator card show. */
import { describe, expect, it } from 'vitest'
import {
  finalityLagOf,
  finalizedOf,
  formatEvidence,
  validatorRows,
  validatorSetRows,
} from '../../../dashboard/src/finality.js'
import type { HeadJson, PosValidatorsJson, ValidatorJson } from '../../../src/api/json.js'

const HASH = 'c17d93961b966248e4e67026b3614887b00379222048aadf09d259534b62d37e'

const head = (finalized: Pick<HeadJson, 'finalizedHeight' | 'finalizedHash'>): HeadJson => ({
  hash: HASH,
  height: 42,
  totalWork: '43',
  timestamp: 0,
  stateRoot: '0'.repeat(64),
  ...finalized,
})

describe('the head card', () => {
  it('shows the finalized block the head names under proof of stake', () => {
    expect(finalizedOf(head({ finalizedHeight: 42, finalizedHash: HASH }))).toEqual({ height: 42, hash: HASH })
  })

  it('shows no finalized block under proof of work', () => {
    expect(finalizedOf(head({ finalizedHeight: null, finalizedHash: null }))).toBeUndefined()
  })
})

describe('the validator card', () => {
  const validator: ValidatorJson = {
    address: 'pc1w8n2ka76w0ku3vtnl2p4qnfek7leu54gyz5ssm',
    height: 43,
    round: 2,
    step: 'prevote',
    evidenceSeen: 1,
  }

  it('lists the height being decided, its round and step, and the double signs seen', () => {
    expect(validatorRows(validator).map((row) => [row.label, row.value])).toEqual([
      ['height', '#43'],
      ['round', '2'],
      ['step', 'prevote'],
      ['evidence seen', '1 double sign'],
    ])
  })

  it('counts double signs in words', () => {
    expect(formatEvidence(0)).toBe('0 double signs')
    expect(formatEvidence(1)).toBe('1 double sign')
    expect(formatEvidence(1200)).toBe('1,200 double signs')
  })
})

describe('the validator set card', () => {
  it('shows the finality lag under proof of stake, none under proof of work', () => {
    expect(finalityLagOf(head({ finalizedHeight: 42, finalizedHash: HASH }))).toBe(0)
    expect(finalityLagOf(head({ finalizedHeight: 40, finalizedHash: HASH }))).toBe(2)
    expect(finalityLagOf(head({ finalizedHeight: null, finalizedHash: null }))).toBeUndefined()
  })

  it('lists address, power, stake in coins, jail and missed votes of the window', () => {
    const set: PosValidatorsJson = {
      height: 43,
      epoch: 0,
      nextEpochHeight: 100,
      totalPower: '3000',
      missedWindow: 1000,
      validators: [
        {
          address: 'pc1a',
          publicKey: 'ab'.repeat(32),
          power: '2000',
          stake: '200000000000',
          jailed: false,
          tombstoned: false,
          proposer: true,
          missed: 0,
        },
        {
          address: 'pc1b',
          publicKey: 'cd'.repeat(32),
          power: '1000',
          stake: '150000000',
          jailed: true,
          tombstoned: true,
          proposer: false,
          missed: 1000,
        },
      ],
    }
    expect(validatorSetRows(set)).toEqual([
      {
        address: 'pc1a',
        power: '2,000',
        stake: '2,000',
        jailed: 'no',
        missed: '0 / 1,000',
        missedCount: 0,
        proposer: true,
      },
      {
        address: 'pc1b',
        power: '1,000',
        stake: '1.5',
        jailed: 'tombstoned',
        missed: '1,000 / 1,000',
        missedCount: 1000,
        proposer: false,
      },
    ])
  })
})
