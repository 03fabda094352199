/** The dashboard's API token: read from the page's #token= fragment, and a refusal tells a person how to get it. */
import { describe, expect, it } from 'vitest'
import { errorText, tokenFromHash } from '../../../dashboard/src/rpc.js'
import { RpcCode, RpcError } from '../../../src/api/errors.js'
import { privilegedRefusal } from '../../../src/api/method-classes.js'

describe('the dashboard and the API token', () => {
  it('reads the token from #token=…', () => {
    expect(tokenFromHash(`#token=${'ab'.repeat(32)}`)).toBe('ab'.repeat(32))
    expect(tokenFromHash('')).toBeUndefined()
    expect(tokenFromHash('#token=')).toBeUndefined()
  })

  it('tells a person refused a guarded call to open the URL start printed', () => {
    const text = errorText(privilegedRefusal('wallet_send'))
    expect(text).toContain('open the dashboard with the URL `peerchain start` printed')
    expect(text).toContain('#token=')
    expect(errorText(new RpcError(RpcCode.TX_REJECTED, 'transaction rejected', { reason: 'low fee' }))).toBe(
      'transaction rejected: low fee',
    )
  })
})
