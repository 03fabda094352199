import { describe, expect, it } from 'vitest'
import type { HeadJson, MempoolTxJson } from '../../../src/api/json.js'
import type { NodeApi } from '../../../src/api/node-api.js'
import { ConnectionSubscriptions } from '../../../src/api/subscriptions.js'

/** Just the two hooks; nothing else is called. */
function hooks() {
  const heads = new Set<(head: HeadJson) => void>()
  const txs = new Set<(tx: MempoolTxJson) => void>()
  const api = {
    onNewHead: (l: (head: HeadJson) => void) => {
      heads.add(l)
      return () => heads.delete(l)
    },
    onPendingTx: (l: (tx: MempoolTxJson) => void) => {
      txs.add(l)
      return () => txs.delete(l)
    },
  } as Pick<NodeApi, 'onNewHead' | 'onPendingTx'> as NodeApi
  return { api, heads, txs }
}

const ids = () => {
  let n = 0
  return () => String(++n)
}

describe('ConnectionSubscriptions', () => {
  it('takes one hook per subscription and releases them all on close', () => {
    const { api, heads, txs } = hooks()
    const sent: string[] = []
    const subs = new ConnectionSubscriptions(api, (t) => sent.push(t), 8, ids())
    const a = subs.subscribe('newHeads')
    subs.subscribe('newPendingTransactions')
    expect([heads.size, txs.size]).toEqual([1, 1])
    const head = { hash: 'h', height: 1, totalWork: '1', timestamp: 0, stateRoot: 's' }
    for (const l of heads) l({ ...head, finalizedHeight: null, finalizedHash: null })
    expect(JSON.parse(sent[0] as string)).toEqual({
      jsonrpc: '2.0',
      method: 'subscription',
      params: { subscription: a, result: { ...head, finalizedHeight: null, finalizedHash: null } },
    })
    subs.close()
    expect([heads.size, txs.size, subs.size]).toEqual([0, 0, 0])
  })

  it('takes no hook once closed (a batch still running when its socket closed)', () => {
    const { api, heads } = hooks()
    const subs = new ConnectionSubscriptions(api, () => undefined, 8, ids())
    subs.close()
    expect(() => subs.subscribe('newHeads')).toThrow(/closed/)
    expect(heads.size).toBe(0)
  })

  it('never throws into the node’s event dispatch', () => {
    const { api, heads } = hooks()
    const subs = new ConnectionSubscriptions(api, () => undefined, 8, ids())
    subs.subscribe('newHeads')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const l of heads) expect(() => l(cyclic as unknown as HeadJson)).not.toThrow()
  })
})
