import { afterEach, describe, expect, it, vi } from 'vitest'
import { Header, txRootOf } from '../../../../src/ledger/block.js'
import { encodeCompactBlock, encodeCompactRequest } from '../../../../src/relay/compact/compact-codec.js'
import { ANNOUNCED_PER_PEER_MAX } from '../../../../src/relay/compact/compact-receive.js'
import { compactTxs } from '../../../../src/relay/compact/rebuild.js'
import { packShortIds } from '../../../../src/relay/compact/short-ids.js'
import { mineBlock, transfer } from '../../../helpers/chain.js'
import { type Block, holdBlock, syncClocks, type TestNode, Wire } from './harness.js'

/** Six transfers from six funded devnet accounts. */
const txs = () => Array.from({ length: 6 }, (_, i) => transfer(i, i + 10, 0n))

/** S mined a block of `txs()`; R holds `held` of them in its mempool; S and R are linked. */
async function sentBlock(held: number[], opts: { highBandwidth?: boolean } = {}) {
  const wire = new Wire()
  const s = await wire.node('S')
  const r = await wire.node('R')
  wire.link('S', 'R')
  const all = txs()
  const block = await mineBlock(s.t, all)
  await holdBlock(s, block)
  syncClocks(wire, s.t.clock.nowMs())
  for (const i of held) await r.mempool.add(all[i] as (typeof all)[number], 'gossip')
  // R asked S to push new blocks to it (BIP152's sendcmpct).
  if (opts.highBandwidth) s.relay.peerBlocks.setMode('R', true)
  return { wire, s, r, block }
}

const stored = (node: TestNode, block: Block) => node.t.chain.index.get(block.id)?.status

afterEach(() => {
  vi.useRealTimers()
})

describe('compact blocks: reconstruction', () => {
  it('rebuilds a block whose txs are all in the mempool without any request (high-bandwidth push)', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], { highBandwidth: true })
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(relayed(wire)).toEqual(['S→R block'])
    expect(wire.txRequests).toEqual([])
    expect(r.counts).toMatchObject({ receivedCount: 1, rebuiltWithout: 1, rebuiltWith: 0, fallbacks: [] })
    expect(r.fetchedFrom).toEqual([])
    expect(r.charges).toEqual([])
  })

  it('asks only for the missing txs when some are not in the mempool (low-bandwidth: announce, then fetch)', async () => {
    const { wire, s, r, block } = await sentBlock([0, 2, 3, 5])
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(relayed(wire)).toEqual(['S→R announce', 'R→S getBlock', 'R→S getBlockTxs'])
    expect(r.counts.requestedTxs).toEqual([2])
    expect(r.counts).toMatchObject({ rebuiltWithout: 0, rebuiltWith: 1, fallbacks: [] })
    // The txs R lacked are prefilled when R passes the block on.
    expect(r.relay.receiver.lacked(block.id)).toEqual([1, 4])
  })

  it('asks for every tx when the mempool holds none of them', async () => {
    const { wire, s, r, block } = await sentBlock([], { highBandwidth: true })
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(wire.txRequests).toEqual(['R→S'])
    expect(r.counts.requestedTxs).toEqual([6])
    expect(r.fetchedFrom).toEqual([])
  })

  it('finds txs the mempool dropped in the pool of recent txs', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2], { highBandwidth: true })
    for (const tx of txs().slice(3)) r.recent.add(tx)
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(wire.txRequests).toEqual([])
    expect(r.counts.rebuiltWithout).toBe(1)
  })

  it('falls back to the full block on a short-id collision (one id named twice)', async () => {
    const { wire, r, block } = await sentBlock([0, 1, 2, 3, 4, 5])
    const { ids } = compactTxs(block.header.bytes, 5n, block.txs, new Set())
    ids[1] = ids[0] as number
    const push = encodeCompactRequest({
      kind: 'block',
      block: { header: block.header.bytes, nonce: 5n, shortIds: packShortIds(ids), prefilled: [] },
    })
    await r.relay.handle(push, 'S')
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(r.counts.fallbacks).toEqual(['collision'])
    expect(r.fetchedFrom).toEqual(['S'])
    expect(wire.txRequests).toEqual([])
    expect(r.charges).toEqual([])
  })
})

describe('compact blocks: blocks in quick succession', () => {
  it('waits for a parent still being rebuilt instead of fetching the child whole', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4], { highBandwidth: true })
    const child = await mineBlock(s.t, [transfer(6, 16, 0n)])
    await holdBlock(s, child)
    syncClocks(wire, s.t.clock.nowMs())
    await r.mempool.add(transfer(6, 16, 0n), 'gossip')
    wire.holdTxRequests = true
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(wire.txRequests).toEqual(['R→S']))
    await s.relay.relayBlock(child)
    expect(stored(r, child)).toBeUndefined()
    wire.releaseTxRequests()
    await vi.waitFor(() => expect(stored(r, child)).toBeDefined())
    expect(stored(r, block)).toBeDefined()
    expect(r.counts.fallbacks).toEqual([])
    expect(r.fetchedFrom).toEqual([])
  })
})

describe('compact blocks: relay before import', () => {
  it('passes a rebuilt block on to the peers that asked before its own import ends', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], { highBandwidth: true })
    const t = await wire.node('T')
    wire.link('R', 'T')
    syncClocks(wire, s.t.clock.nowMs())
    for (const tx of txs()) await t.mempool.add(tx, 'gossip')
    r.relay.peerBlocks.setMode('T', true)
    wire.slowImports.add('R')
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(t, block)).toBeDefined())
    expect(stored(r, block)).toBeUndefined()
    expect(relayed(wire)).toEqual(['S→R block', 'R→T block'])
    wire.releaseImports()
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
  })

  it('charges nobody for a compact block whose proof of work and txRoot hold but whose import fails', async () => {
    const { r } = await sentBlock([])
    const inside = [transfer(0, 1, 0n)]
    // A sealed header on R's head over those txs that leaves the state root as it was: invalid at import.
    const empty = await mineBlock(r.t, [])
    const header = (await r.t.engine.seal({ ...empty.header.fields, txRoot: txRootOf(inside) })) as Header
    for (const tx of inside) r.recent.add(tx)
    const { ids } = compactTxs(header.bytes, 2n, inside, new Set())
    const push = encodeCompactRequest({
      kind: 'block',
      block: { header: header.bytes, nonce: 2n, shortIds: packShortIds(ids), prefilled: [] },
    })
    await r.relay.handle(push, 'S')
    await vi.waitFor(() => expect(r.t.chain.index.get(header.id)?.status).toBe('invalid'))
    expect(r.counts.rebuiltWithout).toBe(1)
    expect(r.counts.importedCount).toBe(0)
    expect(r.charges).toEqual([])
  })
})

describe('compact blocks: faults', () => {
  it('charges a peer whose prefilled txs do not match the header txRoot, and takes the full block', async () => {
    const { r, block } = await sentBlock([1, 2, 3, 4, 5])
    const { ids } = compactTxs(block.header.bytes, 9n, block.txs, new Set([0]))
    const wrongTx = transfer(7, 8, 0n)
    const push = encodeCompactRequest({
      kind: 'block',
      block: {
        header: block.header.bytes,
        nonce: 9n,
        shortIds: packShortIds(ids),
        prefilled: [{ index: 0, tx: wrongTx.bytes }],
      },
    })
    await r.relay.handle(push, 'S')
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(r.charges).toEqual([{ peer: 'S', penalty: 100, reason: 'CMPCT_BAD_TXS' }])
    expect(r.counts.fallbacks).toEqual(['tx_root'])
    expect(r.counts.rebuiltWithout + r.counts.rebuiltWith).toBe(0)
  })

  it('does not charge a peer for a mismatch in a slot our own pools filled (a collision nobody made)', async () => {
    const { r, block } = await sentBlock([0, 1, 2, 3, 4, 5])
    const { ids } = compactTxs(block.header.bytes, 9n, block.txs, new Set())
    // R's pool answers slot 5 with a tx that is not the block's: as an unseen 48-bit collision would.
    const other = transfer(7, 8, 0n)
    const keyed = compactTxs(block.header.bytes, 9n, [other], new Set()).ids[0] as number
    await r.mempool.add(other, 'gossip')
    await r.mempool.reset({ included: [block.txs[5] as (typeof block.txs)[number]], returned: [] })
    ids[5] = keyed
    const push = encodeCompactRequest({
      kind: 'block',
      block: { header: block.header.bytes, nonce: 9n, shortIds: packShortIds(ids), prefilled: [] },
    })
    await r.relay.handle(push, 'S')
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(r.counts.fallbacks).toEqual(['tx_root'])
    expect(r.charges).toEqual([])
  })

  it('times out a peer that never answers a missing-tx request and fetches the block from another', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1], { highBandwidth: true })
    const h = await wire.node('H')
    await holdBlock(h, block)
    wire.link('H', 'R')
    wire.silent.add('S')
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(wire.txRequests).toEqual(['R→S']))
    // H announces the block meanwhile: R now knows H has it.
    await r.relay.handle(encodeCompactRequest({ kind: 'announce', blockHash: block.header.hash }), 'H')
    expect(stored(r, block)).toBeUndefined()
    r.timers.fireAll()
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    expect(r.counts.fallbacks).toEqual(['timeout'])
    expect(r.fetchedFrom).toEqual(['H'])
  })

  it('charges a peer whose header fails its proof of work, and asks it for nothing', async () => {
    const { wire, r, block } = await sentBlock([0, 1])
    const bad = badSeal(r, block)
    await r.relay.handle(encodeCompactRequest({ kind: 'block', block: { ...compactOf(block), header: bad } }), 'S')
    expect(r.charges).toEqual([{ peer: 'S', penalty: 100, reason: 'BLOCK_BAD_POW' }])
    expect(relayed(wire)).toEqual([])
    expect(stored(r, block)).toBeUndefined()
  })

  it('announces by block hash; a compact block fetched for an announcement is checked like a pushed one', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5])
    await s.relay.relayBlock(block)
    await vi.waitFor(() => expect(stored(r, block)).toBeDefined())
    const [announce] = wire.bytesSent.filter((b) => b.line === 'S→R announce')
    expect(announce?.bytes).toBe(34) // tag, length and the 32-byte hash: no header

    // M announces a block and answers with a header failing its seal: charged, nothing more asked.
    const other = await sentBlock([0, 1])
    const m = await other.wire.node('M')
    other.wire.link('M', 'R')
    const forged = { ...compactOf(other.block), header: badSeal(other.r, other.block) }
    m.relay.handle = async () => encodeCompactBlock(forged)
    const forgedHash = Header.fromBytes(forged.header).hash
    await other.r.relay.handle(encodeCompactRequest({ kind: 'announce', blockHash: forgedHash }), 'M')
    await vi.waitFor(() => expect(other.r.charges).toEqual([{ peer: 'M', penalty: 100, reason: 'BLOCK_BAD_POW' }]))
    expect(relayed(other.wire)).toEqual(['R→M getBlock'])
  })

  it('charges a peer that answers an announcement with another block', async () => {
    const { wire, r, block } = await sentBlock([0, 1])
    const m = await wire.node('M')
    wire.link('M', 'R')
    m.relay.handle = async () => encodeCompactBlock(compactOf(block))
    await r.relay.handle(encodeCompactRequest({ kind: 'announce', blockHash: new Uint8Array(32).fill(9) }), 'M')
    await vi.waitFor(() => expect(r.charges).toEqual([{ peer: 'M', penalty: 100, reason: 'CMPCT_MALFORMED' }]))
    expect(stored(r, block)).toBeUndefined()
  })

  it("has at most ANNOUNCED_PER_PEER_MAX blocks in flight for one peer's announcements", async () => {
    const { wire, r } = await sentBlock([])
    const m = await wire.node('M')
    wire.link('M', 'R')
    let release = () => {}
    const stalled = new Promise<Uint8Array>((resolve) => {
      release = () => resolve(new Uint8Array(0))
    })
    m.relay.handle = () => stalled
    for (let i = 0; i < 5; i++) {
      await r.relay.handle(encodeCompactRequest({ kind: 'announce', blockHash: new Uint8Array(32).fill(i + 1) }), 'M')
    }
    expect(relayed(wire)).toEqual(Array(ANNOUNCED_PER_PEER_MAX).fill('R→M getBlock'))
    // Answered (empty: M had none of them): M's next announcement is asked for.
    release()
    let next = 100
    await vi.waitFor(async () => {
      await r.relay.handle(encodeCompactRequest({ kind: 'announce', blockHash: new Uint8Array(32).fill(next++) }), 'M')
      expect(relayed(wire)).toHaveLength(ANNOUNCED_PER_PEER_MAX + 1)
    })
  })
})

/** The requests sent, leaving out the mode requests a node sends once a peer brought it a block first. */
const relayed = (wire: Wire) => wire.sent.filter((line) => !line.endsWith(' mode'))

/** A block's compact form with no prefilled txs. */
function compactOf(block: Block) {
  const { ids } = compactTxs(block.header.bytes, 1n, block.txs, new Set())
  return { header: block.header.bytes, nonce: 1n, shortIds: packShortIds(ids), prefilled: [] }
}

/** The block's header with its nonce changed until its seal fails. */
function badSeal(node: TestNode, block: Block): Uint8Array {
  let nonce = block.header.fields.nonce
  let bad: Uint8Array
  do {
    nonce++
    bad = Header.fromFields({ ...block.header.fields, nonce }).bytes
  } while (passesSeal(node, bad))
  return bad
}

function passesSeal(node: TestNode, bytes: Uint8Array): boolean {
  try {
    node.t.engine.checkSeal(Header.fromBytes(bytes))
    return true
  } catch {
    return false
  }
}

/** S linked to A … E, none of which has asked anything yet. */
async function starOfFive() {
  const wire = new Wire()
  const s = await wire.node('S')
  for (const name of ['A', 'B', 'C', 'D', 'E']) {
    await wire.node(name)
    wire.link('S', name)
  }
  return { wire, s }
}

/** An empty block `s` mined and holds, the wire's clocks brought to its time. */
async function heldBlockOf(wire: Wire, s: TestNode): Promise<Block> {
  const block = await mineBlock(s.t, [])
  await holdBlock(s, block)
  syncClocks(wire, s.t.clock.nowMs())
  return block
}

describe('compact blocks: relay modes', () => {
  it('pushes to the peers that asked for high-bandwidth mode and announces to the others', async () => {
    const { wire, s } = await starOfFive()
    const mode = (highBandwidth: boolean) => encodeCompactRequest({ kind: 'mode', highBandwidth })
    for (const name of ['B', 'C', 'D', 'A']) await s.relay.handle(mode(true), name)
    await s.relay.handle(mode(false), 'A')
    const block = await heldBlockOf(wire, s)
    await s.relay.relayBlock(block)
    const fromS = wire.sent.filter((line) => line.startsWith('S→')).sort()
    expect(fromS).toEqual(['S→A announce', 'S→B block', 'S→C block', 'S→D block', 'S→E announce'])
  })

  it('pushes a block of its own to every speaking peer, whatever their mode, and none twice', async () => {
    const { wire, s } = await starOfFive()
    await s.relay.handle(encodeCompactRequest({ kind: 'mode', highBandwidth: true }), 'B')
    const block = await heldBlockOf(wire, s)
    await s.relay.relayBlock(block, true)
    await s.relay.relayBlock(block, true)
    const fromS = wire.sent.filter((line) => line.startsWith('S→')).sort()
    expect(fromS).toEqual(['S→A block', 'S→B block', 'S→C block', 'S→D block', 'S→E block'])
  })

  it('asks the three peers that most recently brought a new block first to push, and the one pushed out to announce', async () => {
    const wire = new Wire()
    const r = await wire.node('R')
    const givers = ['A', 'B', 'C', 'D']
    for (const name of givers) {
      await wire.node(name)
      wire.link('R', name)
    }
    const a = wire.nodes.get('A') as TestNode
    for (const [i, name] of givers.entries()) {
      const block = await mineBlock(a.t, [])
      await holdBlock(a, block)
      syncClocks(wire, a.t.clock.nowMs())
      const giver = wire.nodes.get(name) as TestNode
      if (giver !== a) await holdBlock(giver, block)
      const full = encodeCompactRequest({ kind: 'block', block: compactOf(block) })
      await r.relay.handle(full, name)
      await vi.waitFor(() => expect(r.relay.peerBlocks.pushers()).toHaveLength(Math.min(i + 1, 3)))
      await vi.waitFor(() => expect(r.relay.peerBlocks.pushers()[0]).toBe(name))
    }
    const asked = () => wire.sent.filter((line) => line.startsWith('R→') && line.endsWith('mode'))
    await vi.waitFor(() => expect(asked()).toHaveLength(5))
    expect(asked()).toEqual(['R→A mode', 'R→B mode', 'R→C mode', 'R→D mode', 'R→A mode'])
    // A was told to announce again: only B, C and D push to R now.
    expect(a.relay.peerBlocks.highBandwidth(new Set(['R']))).toEqual([])
    for (const name of ['B', 'C', 'D']) {
      expect((wire.nodes.get(name) as TestNode).relay.peerBlocks.highBandwidth(new Set(['R']))).toEqual(['R'])
    }
  })

  it('still gives full blocks to a peer that does not speak the protocol, by gossip', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], { highBandwidth: true })
    const legacy = await wire.node('L')
    wire.mute.add('L')
    wire.link('R', 'L')
    expect(await s.relay.gossipNeeded()).toBe(false)
    expect(await r.relay.gossipNeeded()).toBe(true)
    await s.relay.relayBlock(block)
    // Imported, and S noted as the peer that brought it first.
    await vi.waitFor(() => expect(r.relay.peerBlocks.pushers()).toEqual(['S']))
    await r.relay.relayBlock(block)
    expect(r.gossiped).toEqual([block.id])
    expect(wire.sent.filter((line) => line.includes('→L'))).toEqual([])
    expect(legacy.gossiped).toEqual([])
  })

  it('does not offer a block back to the peer it came from', async () => {
    const { wire, s, r, block } = await sentBlock([0, 1, 2, 3, 4, 5], { highBandwidth: true })
    await s.relay.relayBlock(block)
    // Imported, and S noted as the peer that brought it first.
    await vi.waitFor(() => expect(r.relay.peerBlocks.pushers()).toEqual(['S']))
    await r.relay.relayBlock(block)
    expect(stored(r, block)).toBeDefined()
    expect(wire.sent.filter((line) => !line.endsWith('mode'))).toEqual(['S→R block'])
  })
})
