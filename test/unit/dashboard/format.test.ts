/** The dashboard's pure parts: what the send form accepts, and how amounts and URLs are written. */
import { describe, expect, it } from 'vitest'
import {
  formatCoins,
  groupColor,
  LOCAL_GROUP_COLOR,
  parseBaseUnits,
  parseCoins,
  peerGroups,
} from '../../../dashboard/src/format.js'
import { socketUrl } from '../../../dashboard/src/socket.js'
import { formatCoins as cliFormatCoins } from '../../../src/cli/format.js'
import { COIN } from '../../../src/ledger/genesis.js'

describe('send form amounts', () => {
  it('reads coins into exact base units', () => {
    expect(parseCoins('1')).toEqual({ ok: true, value: COIN })
    expect(parseCoins(' 2.5 ')).toEqual({ ok: true, value: 250_000_000n })
    expect(parseCoins('.5')).toEqual({ ok: true, value: 50_000_000n })
    expect(parseCoins('0.00000001')).toEqual({ ok: true, value: 1n })
    expect(parseCoins('184467440737.09551615')).toEqual({ ok: true, value: (1n << 64n) - 1n })
  })

  it('refuses what is not an amount, saying why', () => {
    expect(parseCoins('0.000000001')).toEqual({ ok: false, error: 'amount has more than 8 decimals' })
    expect(parseCoins('0')).toEqual({ ok: false, error: 'amount must be more than 0' })
    expect(parseCoins('184467440737.09551616')).toEqual({ ok: false, error: 'amount is too large' })
    for (const bad of ['', '-1', '1e3', '1,5', 'abc', '1.2.3', '.']) expect(parseCoins(bad).ok).toBe(false)
    expect(parseBaseUnits('1000')).toEqual({ ok: true, value: 1000n })
    expect(parseBaseUnits('18446744073709551616')).toEqual({ ok: false, error: 'fee is too large' })
    for (const bad of ['', '1.5', '-1', '0x10']) expect(parseBaseUnits(bad).ok).toBe(false)
  })

  it('writes base units as the CLI does, without the unit', () => {
    for (const units of ['0', '1', '250000000', '100000000000', '18446744073709551615']) {
      expect(`${formatCoins(units)} PC`).toBe(cliFormatCoins(units))
    }
  })
})

describe('socketUrl', () => {
  it('follows the page: same host, ws or wss, the token as a query parameter', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8645' })).toBe('ws://127.0.0.1:8645/')
    expect(socketUrl({ protocol: 'https:', host: 'node.example' }, 'ab cd')).toBe('wss://node.example/?token=ab%20cd')
  })
})

describe('peer group colours', () => {
  it('gives a group the same colour every time, and different groups different colours', () => {
    expect(groupColor('ip4:203.0')).toBe(groupColor('ip4:203.0'))
    const groups = ['ip4:203.0', 'ip4:203.1', 'ip4:198.51', 'as:64500', 'ip6:2001:0db8', 'lab:127.0.2', 'lab:127.0.3']
    const colors = groups.map(groupColor)
    expect(new Set(colors).size).toBe(groups.length)
    for (const color of colors) expect(color).toMatch(/^hsl\(\d{1,3}, 65%, (42|56)%\)$/)
  })

  it('draws the unlimited group `local` in a neutral grey', () => {
    expect(groupColor('local')).toBe(LOCAL_GROUP_COLOR)
  })

  it('counts peers per group for the legend, the biggest group first, ties by name', () => {
    const peers = ['lab:127.0.3', 'local', 'lab:127.0.3', 'lab:127.0.2', 'local', 'as:1'].map((group) => ({ group }))
    expect(peerGroups(peers)).toEqual([
      { group: 'lab:127.0.3', count: 2 },
      { group: 'local', count: 2 },
      { group: 'as:1', count: 1 },
      { group: 'lab:127.0.2', count: 1 },
    ])
  })
})
