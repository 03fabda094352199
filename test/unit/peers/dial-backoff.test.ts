import { describe, expect, it } from 'vitest'
import {
  BACKOFF_ADDRS_MAX,
  DIAL_BACKOFF_BASE_MS,
  DIAL_BACKOFF_MAX_MS,
  DialBackoff,
} from '../../../src/peers/dial-backoff.js'

function setup() {
  let now = 1_000
  const backoff = new DialBackoff(() => now)
  return { backoff, advance: (ms: number) => (now += ms) }
}

describe('dial backoff', () => {
  it('doubles the wait with each failure up to the maximum, and forgets it on success', () => {
    const { backoff, advance } = setup()
    const addr = '/ip4/44.7.0.1/tcp/9000'
    let wait = DIAL_BACKOFF_BASE_MS
    for (let failures = 1; failures <= 10; failures++) {
      backoff.failed(addr)
      advance(wait - 1)
      expect(backoff.ready(addr), `after ${failures} failures`).toBe(false)
      advance(1)
      expect(backoff.ready(addr)).toBe(true)
      wait = Math.min(DIAL_BACKOFF_MAX_MS, wait * 2)
    }
    backoff.succeeded(addr)
    backoff.failed(addr)
    advance(DIAL_BACKOFF_BASE_MS)
    expect(backoff.ready(addr)).toBe(true)
  })

  it('remembers at most BACKOFF_ADDRS_MAX addresses, forgetting the one that failed longest ago', () => {
    const { backoff } = setup()
    const addr = (i: number) => `/ip4/44.7.${i >> 8}.${i & 255}/tcp/9000`
    for (let i = 0; i <= BACKOFF_ADDRS_MAX; i++) backoff.failed(addr(i))
    expect(backoff.ready(addr(0))).toBe(true)
    expect(backoff.ready(addr(1))).toBe(false)
    expect(backoff.ready(addr(BACKOFF_ADDRS_MAX))).toBe(false)
  })
})
