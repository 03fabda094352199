/** The status handshake carries the role as a free string: a validator's status decodes like any other. */
import { describe, expect, it } from 'vitest'
import { decodeStatus, encodeStatus, type StatusFields } from '../../../src/ledger/codec/wire-codec.js'
import type { Role } from '../../../src/relay/status.js'

function status(role: string): StatusFields {
  return {
    chainId: 'peerchain-devnet-pos',
    genesisHash: new Uint8Array(32).fill(1),
    headHash: new Uint8Array(32).fill(2),
    headHeight: 7n,
    totalWork: new Uint8Array(32).fill(0),
    role,
  }
}

describe('the status role on the wire', () => {
  it.each<Role>(['full', 'miner', 'validator', 'light'])('decodes a status of a %s node', (role) => {
    expect(decodeStatus(encodeStatus(status(role)))).toEqual(status(role))
  })

  it('decodes a role it does not know (a newer peer), for it decides nothing', () => {
    expect(decodeStatus(encodeStatus(status('archive'))).role).toBe('archive')
  })
})
