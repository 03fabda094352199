import { describe, expect, it } from 'vitest'
import {
  ellipsize,
  formatAge,
  formatBytes,
  formatCoins,
  formatCount,
  formatDuration,
  formatEta,
  formatMemo,
  formatPercent,
  formatTime,
  shortPeerId,
} from '../../../src/cli/format.js'

describe('formatCoins', () => {
  it.each([
    ['0', '0 PC'],
    ['1', '0.00000001 PC'],
    ['10', '0.0000001 PC'],
    ['1000', '0.00001 PC'],
    ['99999999', '0.99999999 PC'],
    ['100000000', '1 PC'],
    ['100000001', '1.00000001 PC'],
    ['1250000000', '12.5 PC'],
    ['5000001000', '50.00001 PC'],
    ['100000000000000', '1,000,000 PC'],
    // u64 max: exact, no floating point on the way.
    ['18446744073709551615', '184,467,440,737.09551615 PC'],
  ])('%s base units → %s', (units, shown) => {
    expect(formatCoins(units)).toBe(shown)
  })

  it('takes bigints and negative amounts', () => {
    expect(formatCoins(-150_000_000n)).toBe('-1.5 PC')
    expect(formatCoins(2n * 100_000_000n)).toBe('2 PC')
  })

  it.each(['', '1.5', '1e3', 'abc', ' 1'])('refuses %j rather than guess', (text) => {
    expect(() => formatCoins(text)).toThrow(TypeError)
  })
})

describe('formatCount', () => {
  it('groups by thousands', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(999)).toBe('999')
    expect(formatCount(1000)).toBe('1,000')
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(-1234)).toBe('-1,234')
    expect(formatCount(12345678901234567890n)).toBe('12,345,678,901,234,567,890')
  })
})

describe('formatDuration and formatEta', () => {
  it.each([
    [0, '0s'],
    [0.4, '0s'],
    [45, '45s'],
    [59.4, '59s'],
    // rounded before the unit is chosen: never "60s"
    [59.6, '1m00s'],
    [107, '1m47s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [7_500, '2h05m'],
    [86_399, '23h59m'],
    [86_400, '1d00h'],
    [3 * 86_400 + 4 * 3600 + 59, '3d04h'],
    [1000 * 86_400, '1,000d00h'],
  ])('%d s → %s', (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown)
  })

  it('refuses what is not a duration', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError)
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError)
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })

  it('says "unknown" for an ETA the node cannot give', () => {
    expect(formatEta(null)).toBe('unknown')
    expect(formatEta(-5)).toBe('unknown')
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('unknown')
    expect(formatEta(107.2)).toBe('1m47s')
    expect(formatEta(0)).toBe('0s')
  })
})

describe('formatAge and formatTime', () => {
  it('measures from the given now', () => {
    const now = 1_767_225_602_000
    expect(formatAge(now - 12_000, now)).toBe('12s ago')
    expect(formatAge(now, now)).toBe('0s ago')
    expect(formatAge(now - 2 * 3600_000, now)).toBe('2h00m ago')
    expect(formatAge(now + 3_000, now)).toBe('3s ahead of this clock')
    expect(formatAge(now + 999, now)).toBe('0s ago')
    expect(formatAge(now + 1_000, now)).toBe('1s ahead of this clock')
  })

  it('prints UTC ISO time, without zero milliseconds', () => {
    expect(formatTime(1_767_225_602_000)).toBe('2026-01-01T00:00:02Z')
    expect(formatTime(1_767_225_602_743)).toBe('2026-01-01T00:00:02.743Z')
  })
})

describe('formatPercent', () => {
  it.each([
    [1234, 5000, '24.7%'],
    [0, 5000, '0.0%'],
    [4999, 5000, '99.9%'],
    // 99.99% rounds to 100.0 but is not done: it must not say so
    [9999, 10000, '99.9%'],
    [5000, 5000, '100.0%'],
    [6000, 5000, '100.0%'],
    [0, 0, '100.0%'],
  ])('%d of %d → %s', (done, total, shown) => {
    expect(formatPercent(done, total)).toBe(shown)
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1024, '1.0 KiB'],
    [3482, '3.4 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('%d → %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown)
  })
})

describe('shortPeerId and ellipsize', () => {
  it('keeps the key-type prefix and the distinguishing tail of a peer id', () => {
    const id = '12D3KooWSeEUv44QbKqDgzgN5L5KBWc1okjZm3LjoB85RU7M18FA'
    expect(shortPeerId(id)).toBe('12D3KooW…RU7M18FA')
    expect(shortPeerId('12D3KooWShort')).toBe('12D3KooWShort')
  })

  it('cuts the middle to exactly the width', () => {
    const hash = '00000669b11983268cadc955702239e8c5a7154b5988c6a9b29194f0b70ccd9a'
    expect(ellipsize(hash, 64)).toBe(hash)
    expect(ellipsize(hash, 17)).toBe('00000669…b70ccd9a')
    expect([...ellipsize(hash, 17)]).toHaveLength(17)
    // an odd share goes to the head
    expect(ellipsize(hash, 16)).toBe('00000669…70ccd9a')
    expect(ellipsize('abc', 1)).toBe('…')
    expect(ellipsize('abc', 0)).toBe('')
  })
})

describe('formatMemo', () => {
  const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex')

  it('shows printable UTF-8 as a quoted string', () => {
    expect(formatMemo(hex('rent'))).toBe('"rent"')
    expect(formatMemo(hex('café "x"'))).toBe('"café \\"x\\""')
  })

  it('shows hex for bytes that are not text, or text that would steer the terminal', () => {
    expect(formatMemo('ff00')).toBe('0xff00')
    expect(formatMemo(hex('a\u001b[2Jb'))).toBe(`0x${hex('a\u001b[2Jb')}`)
    expect(formatMemo(hex('x\nY'))).toBe(`0x${hex('x\nY')}`)
    expect(formatMemo(hex('abc\u202edef'))).toBe(`0x${hex('abc\u202edef')}`)
  })

  it('says when there is none', () => {
    expect(formatMemo('')).toBe('(none)')
  })
})
