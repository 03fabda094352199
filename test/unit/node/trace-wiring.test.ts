import { describe, expect, it } from 'vitest'
import type { BlockSource, HeadChange } from '../../../src/chain/chain.js'
import type { Block } from '../../../src/ledger/block.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import type { Tx } from '../../../src/ledger/tx.js'
import type { TxSource } from '../../../src/mempool/index.js'
import type { MessageCopy, PeerCut, PeerInfo } from '../../../src/net/network.js'
import type { CompactArrivalListener } from '../../../src/node/compact-wiring.js'
import { NodeTrace, SyncedBlockSources } from '../../../src/node/trace-wiring.js'
import type { SyncFns } from '../../../src/sync/index.js'
import type { TraceEvent } from '../../../src/trace/format.js'
import { TraceWriter } from '../../../src/trace/writer.js'
import { toHex } from '../../../src/util/bytes.js'
import { FakeTime, MemorySink } from '../trace/fake-time.js'

const fakeTx = (n: number): Tx => {
  const bytes = new Uint8Array([n, 1, 2, 3])
  return { id: toHex(sha256(bytes)), bytes } as unknown as Tx
}
const fakeBlock = (n: number, height: number): Block =>
  ({
    id: `hash${n}`.padEnd(64, '0'),
    bytes: new Uint8Array([n, 9, 9]),
    header: { height, parentId: 'parent'.padEnd(64, '0') },
  }) as unknown as Block

function setup() {
  const time = new FakeTime()
  const sink = new MemorySink()
  const writer = new TraceWriter({ sink, clock: time, timers: time }, { peerId: 'me', pid: 1 })
  const listeners = {
    copy: (_c: MessageCopy) => {},
    cut: (_c: PeerCut) => {},
    added: (_tx: Tx, _s: 'pending', _src: TxSource) => {},
    stored: (_b: Block, _s: BlockSource) => {},
    head: (_c: HeadChange) => {},
    connect: (_p: string) => {},
    disconnect: (_p: string) => {},
    compact: undefined as CompactArrivalListener | undefined,
  }
  const peers: PeerInfo[] = []
  const syncSources = new SyncedBlockSources()
  const trace = new NodeTrace({
    writer,
    clock: time,
    timers: time,
    chain: {
      head: { id: 'genesis' } as never,
      onBlockStored: (l) => {
        listeners.stored = l
        return () => {}
      },
      onHeadChange: (l) => {
        listeners.head = l
        return () => {}
      },
    },
    mempool: {
      onAdded: (l) => {
        listeners.added = l as unknown as typeof listeners.added
        return () => {}
      },
    },
    network: {
      on: (event, l) => {
        if (event === 'peer:connect') listeners.connect = l
        else listeners.disconnect = l
      },
      peers: () => peers,
      onMessageCopy: (l) => (listeners.copy = l),
      onPeerCut: (l) => (listeners.cut = l),
      protocolTraffic: () => ({ '/meshsub/1.2.0': { in: 10, out: 20 } }),
    },
    topics: { tx: 'txs', block: 'blocks' },
    syncSources,
    compact: { onArrival: (l) => (listeners.compact = l) },
    sampleProcess: () => ({ cpuMs: 5, rss: 1000 }),
  })
  const events = async () => {
    await trace.stop()
    return sink.events()
  }
  return { time, listeners, peers, syncSources, trace, events }
}

describe('NodeTrace', () => {
  it('traces a gossiped tx once, at its first copy and from its first sender, and counts its copies', async () => {
    const { time, listeners, events } = setup()
    const tx = fakeTx(1)
    const t0 = time.nowMs()
    listeners.copy({ topic: 'txs', msgId: tx.id, from: 'p1' })
    time.advance(40)
    listeners.copy({ topic: 'txs', msgId: tx.id, from: 'p2' })
    listeners.copy({ topic: 'elsewhere', msgId: tx.id, from: 'p3' }) // not a topic of ours
    time.advance(60)
    listeners.added(tx, 'pending', 'gossip')
    listeners.added(tx, 'pending', 'gossip') // back after a reorg: not first seen again
    time.advance(10_000) // the copy window closes on a sample
    const all = await events()
    expect(all.filter((e) => e.e === 'tx')).toEqual([{ t: t0, e: 'tx', id: tx.id, from: 'p1', bytes: 4 }])
    expect(all.filter((e) => e.e === 'copies')).toEqual([expect.objectContaining({ k: 'tx', id: tx.id, n: 2 })])
  })

  it('traces a tx taken over RPC as local', async () => {
    const { listeners, events } = setup()
    listeners.added(fakeTx(2), 'pending', 'rpc')
    expect((await events()).find((e) => e.e === 'tx')).toMatchObject({ from: 'local' })
  })

  it("traces blocks from their first copy's sender, sync's serving peer, or local when mined", async () => {
    const { time, listeners, syncSources, events } = setup()
    const gossiped = fakeBlock(1, 5)
    const t0 = time.nowMs()
    listeners.copy({ topic: 'blocks', msgId: toHex(sha256(gossiped.bytes)), from: 'p1' })
    time.advance(200)
    listeners.stored(gossiped, 'gossip')
    const synced = fakeBlock(2, 6)
    const fns = syncSources.instrument({ requestBlocks: async () => [synced] } as unknown as SyncFns)
    await fns.requestBlocks('p3', [])
    listeners.stored(synced, 'sync')
    listeners.stored(fakeBlock(3, 7), 'mined')
    const blocks = (await events()).filter((e) => e.e === 'block')
    expect(blocks).toEqual([
      { t: t0, e: 'block', hash: gossiped.id, height: 5, from: 'p1', parent: 'parent'.padEnd(64, '0'), bytes: 3 },
      expect.objectContaining({ hash: synced.id, from: 'p3', t: t0 + 200 }),
      expect.objectContaining({ hash: fakeBlock(3, 7).id, from: 'local' }),
    ])
  })

  it('traces a compact block at its rebuild, from the peer that sent it, and counts each push or announcement as a copy', async () => {
    const { time, listeners, events } = setup()
    const compact = listeners.compact as CompactArrivalListener
    const rebuiltBlock = fakeBlock(4, 8)
    compact.arrived('p1', rebuiltBlock.id)
    time.advance(30)
    compact.arrived('p2', rebuiltBlock.id)
    time.advance(50)
    const tRebuilt = time.nowMs()
    compact.rebuilt('p1', rebuiltBlock.id)
    time.advance(100) // its import
    listeners.stored(rebuiltBlock, 'gossip')
    // Given up for the full block: stored when it came, from the peer that first offered it.
    const fetched = fakeBlock(5, 9)
    compact.arrived('p3', fetched.id)
    time.advance(700)
    const tFetched = time.nowMs()
    listeners.stored(fetched, 'gossip')
    // Pushed with a bad header, never stored: no copies line.
    compact.arrived('p4', fakeBlock(6, 9).id)
    const all = await events()
    expect(all.filter((e) => e.e === 'block')).toEqual([
      expect.objectContaining({ hash: rebuiltBlock.id, t: tRebuilt, from: 'p1' }),
      expect.objectContaining({ hash: fetched.id, t: tFetched, from: 'p3' }),
    ])
    expect(all.filter((e) => e.e === 'copies')).toEqual([
      expect.objectContaining({ k: 'block', id: rebuiltBlock.id, n: 2 }),
      expect.objectContaining({ k: 'block', id: fetched.id, n: 1 }),
    ])
  })

  it('writes a reorg from the old head to the new before the head line', async () => {
    const { listeners, events } = setup()
    const headChange = (id: string, height: number, disconnectedCount: number) =>
      ({ head: { id, height }, disconnectedCount }) as unknown as HeadChange
    listeners.head(headChange('h1', 1, 0))
    listeners.head(headChange('h2b', 2, 1))
    const lines = (await events()).filter((e) => e.e === 'head' || e.e === 'reorg')
    expect(lines.map(({ t: _t, ...rest }) => rest)).toEqual([
      { e: 'head', hash: 'h1', height: 1 },
      { e: 'reorg', depth: 1, from: 'h1', to: 'h2b' },
      { e: 'head', hash: 'h2b', height: 2 },
    ])
  })

  it('traces peers with their IP and direction, at open and close, and cuts', async () => {
    const { listeners, peers, events } = setup()
    peers.push({
      id: 'p1',
      addresses: ['/ip4/127.0.3.1/tcp/4001'],
      direction: 'outbound',
      group: 'lab:127.0.3',
      connectionType: 'full-relay',
      score: 0,
    })
    listeners.connect('p1')
    listeners.cut({ peer: 'p1', ip: '127.0.3.1', reason: 'discouraged: score -100' })
    peers.pop()
    listeners.disconnect('p1')
    const lines = (await events()).filter((e) => e.e === 'peer' || e.e === 'cut')
    expect(lines.map(({ t: _t, ...rest }) => rest)).toEqual([
      { e: 'peer', op: 'open', peer: 'p1', ip: '127.0.3.1', dir: 'out' },
      { e: 'cut', peer: 'p1', ip: '127.0.3.1', reason: 'discouraged: score -100' },
      { e: 'peer', op: 'close', peer: 'p1', ip: '127.0.3.1', dir: 'out' },
    ])
  })

  it('samples proc and bytes every second, and at stop closes the copy windows before the stop line', async () => {
    const { time, listeners, events } = setup()
    time.advance(3_000)
    listeners.copy({ topic: 'txs', msgId: 'ab'.repeat(32), from: 'p1' })
    const all: TraceEvent[] = await events()
    expect(all.filter((e) => e.e === 'proc')).toHaveLength(4) // three samples and one at stop
    expect(all.filter((e) => e.e === 'bytes').at(-1)).toMatchObject({
      proto: { '/meshsub/1.2.0': { in: 10, out: 20 } },
    })
    expect(all.map((e) => e.e).slice(-4)).toEqual(['copies', 'proc', 'bytes', 'stop'])
  })
})
