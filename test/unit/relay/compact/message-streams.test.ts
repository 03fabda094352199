/**
 * Compact blocks on a network with message streams: pushes, announcements and
 * mode changes travel as messages (half a round trip each), requests stay
 * requests, and a message that cannot go on its stream goes as a request.
 */
import { describe, expect, it, vi } from 'vitest'
import { encodeCompactRequest } from '../../../../src/relay/compact/compact-codec.js'
import { mineBlock, transfer } from '../../../helpers/chain.js'
import { holdBlock, syncClocks, type TestNode, Wire } from './harness.js'

/** S mined a block of six transfers; R holds `held` of them; S and R are linked over message streams. */
async function sentBlock(held: number[], highBandwidth: boolean) {
  const wire = new Wire({ withMessages: true })
  const s = await wire.node('S')
  const r = await wire.node('R')
  wire.link('S', 'R')
  const all = Array.from({ length: 6 }, (_, i) => transfer(i, i + 10, 0n))
  const block = await mineBlock(s.t, all)
  await holdBlock(s, block)
  syncClocks(wire, s.t.clock.nowMs())
  for (const i of held) await r.mempool.add(all[i] as (typeof all)[number], 'gossip')
  if (highBandwidth) s.relay.peerBlocks.setMode('R', true)
  return { wire, s, r, block }
}

const stored = (node: TestNode, id: string) => node.t.chain.index.get(id)?.status

describe('compact blocks over message streams', () => {
  it('pushes a block as a message, and the receiver rebuilds it and asks the sender to push by message too', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], true)
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block.id)).toBeDefined())
    await vi.waitFor(() => expect(wire.sent).toContain('R→S mode (msg)'))
    expect(wire.sent).toEqual(['S→R block (msg)', 'R→S mode (msg)'])
    expect(r.counts).toMatchObject({ receivedCount: 1, rebuiltWithout: 1, fallbacks: [] })
    expect(s.relay.peerBlocks.highBandwidth(new Set(['R']))).toEqual(['R'])
  })

  it('announces by message, is asked for the compact block by message and answers by message; missing txs by request', async () => {
    const { wire, s, r, block } = await sentBlock([0, 2, 3, 5], false)
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block.id)).toBeDefined())
    expect(wire.sent.filter((line) => !line.endsWith('mode (msg)'))).toEqual([
      'S→R announce (msg)',
      'R→S getBlock (msg)',
      'S→R block (msg)',
      'R→S getBlockTxs',
    ])
    expect(r.counts.requestedTxs).toEqual([2])
    expect(r.timers.pending).toBe(0)
  })

  it('takes the full block from the announcers when no compact block comes for a getBlock message in time', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], false)
    const t = await wire.node('T')
    wire.link('T', 'R')
    await holdBlock(t, block)
    // S and T announce; S forgets the block before R's getBlock reaches it, so nothing answers
    wire.dropGetBlock.add('S')
    await s.relay.relayBlock(block)
    await t.relay.relayBlock(block)
    expect(wire.sent.filter((line) => line.includes('getBlock'))).toEqual(['R→S getBlock (msg)'])
    expect(stored(r, block.id)).toBeUndefined()
    r.timers.fireAll()
    await vi.waitFor(() => expect(stored(r, block.id)).toBeDefined())
    expect(r.counts.fallbacks).toEqual(['timeout'])
    expect(r.fetchedFrom).toEqual(['T'])
  })

  it('asks by request when the getBlock message cannot go', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], false)
    wire.brokenStreams.add('S')
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block.id)).toBeDefined())
    expect(wire.sent.filter((line) => !line.includes('mode'))).toEqual([
      'S→R announce (msg)',
      'R→S getBlock (msg failed)',
      'R→S getBlock',
    ])
    expect(r.timers.pending).toBe(0)
  })

  it('greets a peer that speaks the protocol with "announce to me", which opens the stream before any block', async () => {
    const { wire, s, r } = await sentBlock([], false)
    const mute = await wire.node('M')
    wire.mute.add('M')
    wire.link('R', 'M')
    await r.relay.greet('S')
    await r.relay.greet('M')
    expect(wire.sent).toEqual(['R→S mode (msg)'])
    expect(s.relay.peerBlocks.highBandwidth(new Set(['R']))).toEqual([])
    expect(mute.charges).toEqual([])
    // a peer we asked to push to us is not told to announce again when identify runs anew
    r.relay.peerBlocks.broughtFirst('S')
    await r.relay.greet('S')
    expect(wire.sent).toEqual(['R→S mode (msg)'])
  })

  it('sends the message as a request when the stream fails, so the block still arrives', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], true)
    wire.brokenStreams.add('R')
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block.id)).toBeDefined())
    expect(wire.sent.slice(0, 2)).toEqual(['S→R block (msg failed)', 'S→R block'])
    expect(r.counts.rebuiltWithout).toBe(1)
  })

  it('charges a peer that asks for txs by message (nothing can answer that there) and serves nothing', async () => {
    const { s, block } = await sentBlock([], false)
    const before = s.counts.bytesOut
    const get = { blockHash: block.header.hash, indexes: [0] }
    await s.relay.onMessage(encodeCompactRequest({ kind: 'getBlockTxs', get }), 'R')
    expect(s.charges).toEqual([{ peer: 'R', penalty: 20, reason: 'CMPCT_REQUEST_AS_MESSAGE' }])
    expect(s.counts.bytesOut).toBe(before)
  })

  it('answers a getBlock message only for a block it offered that peer', async () => {
    const { wire, s, block } = await sentBlock([], false)
    await s.relay.onMessage(encodeCompactRequest({ kind: 'getBlock', blockHash: block.header.hash }), 'R')
    expect(wire.sent).toEqual([])
    expect(s.charges).toEqual([])
  })

  it('a block of our own goes to every speaking peer as a message', async () => {
    const wire = new Wire({ withMessages: true })
    const s = await wire.node('S')
    for (const name of ['A', 'B', 'C']) {
      await wire.node(name)
      wire.link('S', name)
    }
    const block = await mineBlock(s.t, [])
    await holdBlock(s, block)
    syncClocks(wire, s.t.clock.nowMs())
    await s.relay.relayBlock(block, true)
    const fromS = wire.sent.filter((line) => line.startsWith('S→')).sort()
    expect(fromS).toEqual(['S→A block (msg)', 'S→B block (msg)', 'S→C block (msg)'])
    for (const name of ['A', 'B', 'C']) {
      await vi.waitFor(() => expect(stored(wire.nodes.get(name) as TestNode, block.id)).toBeDefined())
    }
  })
})
