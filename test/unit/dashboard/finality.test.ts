/** The dashboard's view of finality and of the validator: what the head card and the validator card show. */
import { describe, expect, it } from 'vitest'
import { finalizedOf, formatEvidence, validatorRows } from '../../../dashboard/src/finality.js'
import type { HeadJson, ValidatorJson } from '../../../src/api/json.js'

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
