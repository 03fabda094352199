import { describe, expect, it } from 'vitest'
import { RpcError, RpcTransportError } from '../../../src/api/client.js'
import { UsageError } from '../../../src/cli/errors.js'
import { describeFailure, parseBaseUnits } from '../../../src/cli/wallet.js'
import { AddressError } from '../../../src/ledger/address.js'
import { WalletError } from '../../../src/wallet/errors.js'

describe('parseBaseUnits', () => {
  it('parses whole numbers as bigint, past 2^53', () => {
    expect(parseBaseUnits('0', '--fee')).toBe(0n)
    expect(parseBaseUnits('18446744073709551615', '--amount')).toBe((1n << 64n) - 1n)
  })

  it.each(['', '1.5', '-1', '1e3', '0x10', ' 1', '12a', '18446744073709551616'])('refuses %j', (text) => {
    expect(() => parseBaseUnits(text, '--amount')).toThrow(UsageError)
    expect(() => parseBaseUnits(text, '--amount')).toThrow(/--amount/)
  })

  it('applies a minimum', () => {
    expect(() => parseBaseUnits('0', '--amount', { min: 1n })).toThrow(/at least 1/)
  })
})

describe('describeFailure', () => {
  it('maps usage errors to exit 2 and runtime failures to exit 1', () => {
    expect(describeFailure(new UsageError('x')).exitCode).toBe(2)
    expect(describeFailure(new AddressError('bad checksum'))).toEqual({ message: 'bad checksum', exitCode: 2 })
    expect(describeFailure(new WalletError('NO_PASSPHRASE')).exitCode).toBe(2)
    expect(describeFailure(new WalletError('WRONG_PASSPHRASE')).exitCode).toBe(1)
    const unreachable = new RpcTransportError('fetch failed', { cause: new Error('ECONNREFUSED') })
    expect(describeFailure(unreachable, 'http://127.0.0.1:1/')).toEqual({
      message: 'no node at http://127.0.0.1:1/: start one with `peerchain start` or pass --rpc',
      exitCode: 1,
    })
    const rejected = new RpcError(-32010, 'transaction rejected', { code: 'TX_NONCE_TOO_LOW', reason: 'nonce 0 < 1' })
    expect(describeFailure(rejected)).toEqual({
      message: 'transaction rejected: TX_NONCE_TOO_LOW: nonce 0 < 1',
      exitCode: 1,
    })
  })
})
