/** The tx JSON of the API (json.ts) names each tx's kind, and shows an evidence tx's payload. */
import { describe, expect, it } from 'vitest'
import { mempoolTxToJson, txToJson } from '../../../src/api/json.js'
import { TX_KIND } from '../../../src/ledger/tx-kind.js'
import { addressOf, bytesOf, signedTx } from '../ledger/fixtures.js'

describe('tx JSON and kinds', () => {
  const self = addressOf(0)

  it('a transfer is kind "transfer" with no payload key', () => {
    const json = txToJson(signedTx())
    expect(json.kind).toBe('transfer')
    expect('payload' in json).toBe(false)
  })

  it('stake and unstake are named, with no payload key', () => {
    for (const [name, kind] of [
      ['stake', TX_KIND.stake],
      ['unstake', TX_KIND.unstake],
    ] as const) {
      const json = txToJson(signedTx({ kind, recipient: self }))
      expect(json.kind).toBe(name)
      expect('payload' in json).toBe(false)
    }
  })

  it('evidence carries its payload as hex', () => {
    const tx = signedTx({ kind: TX_KIND.evidence, amount: 0n, recipient: self, payload: bytesOf(3, 0xab) })
    expect(txToJson(tx)).toMatchObject({ kind: 'evidence', amount: '0', payload: 'ababab' })
  })

  it('a mempool entry names its kind', () => {
    const tx = signedTx({ kind: TX_KIND.unstake, recipient: self })
    const json = mempoolTxToJson({ id: tx.id, tx, nonce: 0n, fee: 1n, status: 'ready' })
    expect(json.kind).toBe('unstake')
  })
})
