import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../src/cli/errors.js'
import { parseDevAccounts } from '../../../src/cli/start.js'

describe('--dev-accounts', () => {
  it('takes devnet account indexes separated by commas, once each', () => {
    expect(parseDevAccounts('0')).toEqual([0])
    expect(parseDevAccounts('2, 0,2')).toEqual([2, 0])
    expect(parseDevAccounts('9')).toEqual([9])
  })

  it('refuses anything else, naming the flag and what it takes', () => {
    for (const bad of ['', '10', '-1', '1.5', 'a', '1,,2', '0x1']) {
      expect(() => parseDevAccounts(bad)).toThrow(UsageError)
      expect(() => parseDevAccounts(bad)).toThrow(/--dev-accounts takes devnet account indexes 0-9/)
    }
  })
})
