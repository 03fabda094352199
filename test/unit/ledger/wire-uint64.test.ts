/**
 * The generated wire.ts is never edited by hand (`npm run proto` rewrites
 * it): the uint64 writer fix (uint64-fix.ts) must come with the module that
 * encodes with it. This file imports wire-codec.ts alone, as the node does.
 */
import { describe, expect, it } from 'vitest'
import { decodeStatus, encodeStatus } from '../../../src/ledger/codec/wire-codec.js'

describe('wire codec uint64 fields', () => {
  it('round-trips a status whose head height is in [2^31, 2^32), where protons alone writes bad bytes', () => {
    for (const headHeight of [(1n << 31n) - 1n, 1n << 31n, 3_000_000_000n, (1n << 32n) - 1n, 1n << 32n]) {
      const status = {
        chainId: 'peerchain-test',
        genesisHash: new Uint8Array(32).fill(1),
        headHash: new Uint8Array(32).fill(2),
        headHeight,
        totalWork: new Uint8Array(32).fill(3),
        role: 'full',
      }
      expect(decodeStatus(encodeStatus(status))).toEqual(status)
    }
  })
})
