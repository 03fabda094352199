import { describe, expect, it } from 'vitest'
import type { RpcClient } from '../../../src/api/client.js'
import type { FleetNode } from '../../../src/lab/fleet.js'
import { askTxOutcome } from '../../../src/lab/tx-outcome.js'

/** A node that answers chain_head with `height` and tx_get from `txs` (unknown otherwise). */
function fakeNode(height: number, txs: Record<string, 'included' | 'pending'>): FleetNode {
  const rpc = {
    call: async (method: string, params?: { hash: string }) => {
      if (method === 'chain_head') return { height }
      if (method === 'tx_get') return { status: txs[params?.hash ?? ''] ?? 'unknown' }
      throw new Error(`unexpected ${method}`)
    },
  }
  return { peerId: 'p', addr: '/ip4/127.0.0.1/tcp/1', ip: '127.0.0.1', rpc: rpc as unknown as RpcClient }
}

describe('askTxOutcome', () => {
  it('counts by the highest node, finds the rest elsewhere, and names what no node knows', async () => {
    const nodes: Record<string, FleetNode> = {
      behind: fakeNode(5, { a: 'included', b: 'included', c: 'included', d: 'included' }),
      best: fakeNode(9, { a: 'included', b: 'included', c: 'pending' }),
      other: fakeNode(9, { d: 'pending' }),
    }
    const fleet = { upNames: () => Object.keys(nodes), node: (n: string) => nodes[n] as FleetNode }
    const outcome = await askTxOutcome(fleet, ['a', 'b', 'c', 'd', 'e', 'f'])
    // d: unknown to the best node, pending at another (and on the lagging node's old chain): not lost.
    expect(outcome).toEqual({ sent: 6, included: 2, pending: 2, lost: 2, lostIds: ['e', 'f'] })
  })

  it('lists at most 20 lost ids, and answers nothing with no node up', async () => {
    const nodes: Record<string, FleetNode> = { only: fakeNode(1, {}) }
    const ids = Array.from({ length: 30 }, (_, i) => `t${i}`)
    const outcome = await askTxOutcome({ upNames: () => ['only'], node: (n) => nodes[n] as FleetNode }, ids)
    expect(outcome?.lost).toBe(30)
    expect(outcome?.lostIds).toHaveLength(20)
    expect(await askTxOutcome({ upNames: () => [], node: () => nodes.only as FleetNode }, ids)).toBeUndefined()
  })
})
