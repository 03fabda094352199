import { bech32, bech32m } from '@scure/base'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ADDRESS_PREFIX,
  AddressError,
  addressFromPublicKey,
  formatAddress,
  parseAddress,
} from '../../../src/ledger/address.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { bytesOf, hex, testKey, thrownBy } from './fixtures.js'

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

function expectAddressError(text: string): AddressError {
  const err = thrownBy(() => parseAddress(text))
  expect(err, `"${text}" should be refused`).toBeInstanceOf(AddressError)
  return err as AddressError
}

describe('addresses', () => {
  it('are the first 20 bytes of SHA-256 of the public key', () => {
    const pub = testKey(0).publicKey
    expect(hex(addressFromPublicKey(pub))).toBe(hex(sha256(pub).subarray(0, 20)))
    expect(addressFromPublicKey(pub).byteLength).toBe(20)
  })

  it('format as pc1… and parse back (round trip)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const text = formatAddress(bytes)
        expect(text.startsWith(`${ADDRESS_PREFIX}1`)).toBe(true)
        expect(text).toHaveLength(41)
        expect(text).toBe(text.toLowerCase())
        expect(hex(parseAddress(text))).toBe(hex(bytes))
      }),
      { numRuns: 200 },
    )
  })

  it('formatting refuses anything but 20 bytes', () => {
    for (const n of [0, 19, 21, 32]) {
      expect(thrownBy(() => formatAddress(bytesOf(n, 1)))).toBeInstanceOf(AddressError)
    }
  })

  it('refuses every single-character substitution of a valid address', () => {
    const valid = formatAddress(addressFromPublicKey(testKey(3).publicKey))
    const replacements = [...new Set(`${BECH32_CHARSET}${BECH32_CHARSET.toUpperCase()}1bio! `)]
    let tried = 0
    for (let i = 0; i < valid.length; i++) {
      for (const c of replacements) {
        if (c === valid[i]) continue
        expectAddressError(valid.slice(0, i) + c + valid.slice(i + 1))
        tried++
      }
    }
    expect(tried).toBeGreaterThanOrEqual(41 * 60)
  })

  it('refuses a wrong prefix even with a valid checksum', () => {
    const bytes = bytesOf(20, 0x42)
    for (const prefix of ['bc', 'pcx', 'p', 'tpc']) {
      const err = expectAddressError(bech32m.encode(prefix, bech32m.toWords(bytes)))
      expect(err.message).toContain('prefix must be "pc"')
    }
  })

  it('refuses a bech32 (not bech32m) checksum', () => {
    expectAddressError(bech32.encode(ADDRESS_PREFIX, bech32.toWords(bytesOf(20, 0x42))))
  })

  it('refuses a payload that is not 20 bytes', () => {
    for (const n of [0, 19, 21, 32]) {
      const err = expectAddressError(bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(bytesOf(n, 7))))
      expect(err.message).toContain('20 bytes')
    }
  })

  it('refuses mixed case, truncation, junk and non-strings', () => {
    const valid = formatAddress(bytesOf(20, 9))
    expectAddressError(valid.slice(0, 5).toUpperCase() + valid.slice(5))
    expectAddressError(valid.slice(0, -1))
    expectAddressError(`${valid}q`)
    expectAddressError('')
    expectAddressError('pc1')
    expectAddressError(' '.repeat(41))
    expectAddressError(`${valid} `)
    expect(thrownBy(() => parseAddress(42 as unknown as string))).toBeInstanceOf(AddressError)
  })

  it('says clearly when the checksum is wrong', () => {
    const valid = formatAddress(bytesOf(20, 9))
    const last = valid.at(-1) === 'q' ? 'p' : 'q'
    const typo = valid.slice(0, -1) + last
    const err = expectAddressError(typo)
    expect(err.name).toBe('AddressError')
    expect(err.message).toContain(`invalid address "${typo}"`)
    expect(err.message.toLowerCase()).toContain('checksum')
  })
})
