/** `peerchain start --trace FILE` on two real node processes: what each node's trace says about the other. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import type { TraceEvent } from '../../src/trace/format.js'
import { toHex } from '../../src/util/bytes.js'
import { head, TestNet as Net, rpc, type TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

let net: TestNet
let a: TestNode
let b: TestNode
const traces: Record<'a' | 'b', TraceEvent[]> = { a: [], b: [] }
let tx: Tx
let block: { hash: string; height: number }

async function readTrace(path: string): Promise<TraceEvent[]> {
  const text = await readFile(path, 'utf8')
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TraceEvent)
}

const of = <E extends TraceEvent['e']>(events: TraceEvent[], e: E) =>
  events.filter((x): x is Extract<TraceEvent, { e: E }> => x.e === e)

beforeAll(async () => {
  net = await Net.create()
  const traceA = join(net.dir, 'traces', 'a.jsonl')
  const traceB = join(net.dir, 'traces', 'b.jsonl')
  a = await net.start('a', { extra: ['--trace', traceA] })
  b = await net.start('b', { bootstrap: [a.addr], extra: ['--trace', traceB] })
  await waitFor('a and b connected', async () => (await rpc<unknown[]>(a.rpc, 'net_peers')).length === 1)
  await waitFor('b connected', async () => (await rpc<unknown[]>(b.rpc, 'net_peers')).length === 1)
  // time for the topic subscriptions to cross
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  tx = Tx.create(
    {
      chainId: 'peerchain-test',
      recipient: addressFromPublicKey(devnetKey(7).publicKey),
      amount: 5n,
      fee: 100n,
      nonce: 0n,
    },
    devnetKey(3),
  )
  await rpc(a.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
  await waitFor('the tx in b', async () => {
    const pool = await rpc<{ txs: { hash: string }[] }>(b.rpc, 'mempool_list')
    return pool.txs.some((t) => t.hash === tx.id)
  })
  const mined = await rpc<Array<{ hash: string; height: number }>>(a.rpc, 'miner_generate', { blocks: 1 })
  block = mined[0] as { hash: string; height: number }
  await waitFor('b on the mined block', async () => (await head(b)).hash === block.hash)
  // a sample or two of proc and bytes
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  await net.stop(b)
  await net.stop(a)
  traces.a = await readTrace(traceA)
  traces.b = await readTrace(traceB)
}, 120_000)

afterAll(async () => {
  await net?.close()
})

describe('--trace', () => {
  it('starts with a start line naming the node and ends with stop', () => {
    for (const [name, node] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const events = traces[name]
      expect(events[0]).toMatchObject({ e: 'start', v: 1, peerId: node.peerId })
      expect(events.at(-1)?.e).toBe('stop')
      expect(of(events, 'start')).toHaveLength(1)
      expect(of(events, 'dropped')).toEqual([])
    }
  })

  it('shows the tx as local on a and as from a on b, first seen after a saw it', () => {
    const onA = of(traces.a, 'tx').filter((t) => t.id === tx.id)
    const onB = of(traces.b, 'tx').filter((t) => t.id === tx.id)
    expect(onA).toEqual([expect.objectContaining({ from: 'local', bytes: tx.bytes.byteLength })])
    expect(onB).toEqual([expect.objectContaining({ from: a.peerId, bytes: tx.bytes.byteLength })])
    expect((onB[0] as { t: number }).t).toBeGreaterThanOrEqual((onA[0] as { t: number }).t)
  })

  it('shows the mined block as local on a and as from a on b, with height and parent', () => {
    const onA = of(traces.a, 'block').filter((x) => x.hash === block.hash)
    const onB = of(traces.b, 'block').filter((x) => x.hash === block.hash)
    expect(onA).toEqual([expect.objectContaining({ from: 'local', height: block.height })])
    expect(onB).toEqual([expect.objectContaining({ from: a.peerId, height: block.height })])
    expect(onB[0]?.parent).toMatch(/^[0-9a-f]{64}$/)
    expect(of(traces.b, 'head').some((h) => h.hash === block.hash && h.height === block.height)).toBe(true)
  })

  it('counts the copies b received of the tx and the block', () => {
    const copies = of(traces.b, 'copies')
    const txCopies = copies.find((c) => c.k === 'tx' && c.id === tx.id)
    const blockCopies = copies.find((c) => c.k === 'block' && c.id === block.hash)
    expect(txCopies?.n).toBeGreaterThanOrEqual(1)
    expect(blockCopies?.n).toBeGreaterThanOrEqual(1)
  })

  it('records the peer connections with their IP and direction', () => {
    expect(of(traces.a, 'peer')).toContainEqual(
      expect.objectContaining({ op: 'open', peer: b.peerId, ip: '127.0.0.1', dir: 'in' }),
    )
    expect(of(traces.b, 'peer')).toContainEqual(
      expect.objectContaining({ op: 'open', peer: a.peerId, ip: '127.0.0.1', dir: 'out' }),
    )
  })

  it('samples bytes per protocol, gossip included, and the process', () => {
    const bytes = of(traces.b, 'bytes').at(-1)
    const gossip = Object.entries(bytes?.proto ?? {}).find(([proto]) => proto.startsWith('/meshsub/'))
    expect(gossip?.[1].in).toBeGreaterThan(tx.bytes.byteLength)
    const proc = of(traces.b, 'proc').at(-1)
    expect(proc?.cpuMs).toBeGreaterThan(0)
    expect(proc?.rss).toBeGreaterThan(10 * 1024 * 1024)
  })
})
