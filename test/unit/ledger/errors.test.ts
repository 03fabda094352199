import { describe, expect, it } from 'vitest'
import {
  BlockTxError,
  DecodeError,
  isVerifyError,
  RULES,
  type RuleCode,
  VerifyError,
} from '../../../src/ledger/errors.js'

describe('errors', () => {
  it('every rule is ignore with no penalty, or reject with a positive one', () => {
    for (const [code, rule] of Object.entries(RULES)) {
      if (rule.verdict === 'ignore') expect(rule.penalty, code).toBe(0)
      else expect(rule.penalty, code).toBeGreaterThan(0)
    }
  })

  it('every decode rule is a reject', () => {
    const decodeCodes = Object.keys(RULES).filter((c) => c.startsWith('DECODE_')) as RuleCode[]
    expect(decodeCodes.length).toBeGreaterThanOrEqual(4)
    for (const code of decodeCodes) expect(RULES[code].verdict).toBe('reject')
  })

  it('VerifyError carries code, verdict and penalty from the rule table', () => {
    const err = new VerifyError('TX_NONCE_TOO_HIGH', 'gap')
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('VerifyError')
    expect(err.code).toBe('TX_NONCE_TOO_HIGH')
    expect(err.verdict).toBe('ignore')
    expect(err.penalty).toBe(0)
    expect(err.message).toBe('TX_NONCE_TOO_HIGH: gap')
    expect(isVerifyError(err)).toBe(true)
    expect(isVerifyError(new Error('bug'))).toBe(false)
  })

  it('DecodeError is a VerifyError that rejects', () => {
    const err = new DecodeError('DECODE_MALFORMED', 'junk')
    expect(err).toBeInstanceOf(VerifyError)
    expect(err.name).toBe('DecodeError')
    expect(err.verdict).toBe('reject')
    expect(isVerifyError(err)).toBe(true)
  })

  it('BlockTxError turns an ignorable tx fault into a rejected block', () => {
    const cause = new VerifyError('TX_FEE_TOO_LOW', 'cheap')
    const err = new BlockTxError(3, cause)
    expect(err.code).toBe('BLOCK_INVALID_TX')
    expect(err.verdict).toBe('reject')
    expect(err.penalty).toBeGreaterThan(0)
    expect(err.txIndex).toBe(3)
    expect(err.cause).toBe(cause)
    expect(err.message).toContain('tx 3')
    expect(err.message).toContain('TX_FEE_TOO_LOW')
  })
})
