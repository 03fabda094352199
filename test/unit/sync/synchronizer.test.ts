import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Block } from '../../../src/ledger/block.js'
import { RequestError } from '../../../src/net/network.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { DEFAULT_PENALTIES } from '../../../src/sync/limits.js'
import { Synchronizer, type SynchronizerOptions } from '../../../src/sync/synchronizer.js'
import type { SyncProgress } from '../../../src/sync/types.js'
import { ManualClock } from '../../../src/util/clock.js'
import { sleep } from '../../../src/util/timers.js'
import { openTestChain, type TestChain, transfer } from '../../helpers/chain.js'
import { copyChain, drive, encode, type FakePeer, fakeFns, sourceChain, stall } from './helpers.js'

let source: TestChain
let blocks: Block[]

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(300))
})

const fresh = () => openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
const peer = (id: string, extra: Partial<FakePeer> = {}): FakePeer => ({
  id,
  chain: source,
  latencyMs: () => 1,
  ...extra,
})

/** Every test runs in virtual time: the peers' latencies, the deadlines and the synchronizer's clock. */
let s: SimScheduler
beforeEach(() => {
  s = new SimScheduler({ seed: 7, startMs: 0 })
})

/** Over the scheduler: its clock, its timers (the request backstop) and its rng. */
function synchronizer(fns: ConstructorParameters<typeof Synchronizer>[0], opts: Partial<SynchronizerOptions> = {}) {
  return new Synchronizer(fns, {
    clock: s,
    timers: s,
    rng: s.rng,
    headersPerRequest: 100,
    headersWindowMax: 128,
    ...opts,
  })
}

describe('Synchronizer', () => {
  it('a fresh node syncs 300 blocks from 3 peers, in order, spread over all of them', async () => {
    const local = await fresh()
    const fns = fakeFns(
      local,
      [
        peer('a', { latencyMs: () => s.rng.int(6) }),
        peer('b', { latencyMs: () => s.rng.int(6) }),
        peer('c', { latencyMs: () => s.rng.int(6) }),
      ],
      s,
    )
    const seen = new Set<SyncProgress['state']>()
    const importBlock = fns.importBlock
    const sync = synchronizer({
      ...fns,
      importBlock: (b) => {
        seen.add(sync.progress().state)
        return importBlock(b)
      },
    })
    expect(sync.progress()).toEqual({ state: 'idle' })
    await drive(s, sync.sync())
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(local.chain.head.height).toBe(300)
    expect(s.nowMs()).toBeGreaterThan(0) // the answers took their (virtual) latency
    expect(fns.imports).toEqual(blocks.map((b) => b.height)) // strictly in order, each once
    expect(fns.reports).toEqual([])
    const servers = new Set(fns.requests.filter((r) => r.kind === 'blocks').map((r) => r.peer))
    expect([...servers].sort()).toEqual(['a', 'b', 'c'])
    // Windows of 128 headers, asked 100 at a time; a short answer ends the last window.
    expect(fns.requests.filter((r) => r.kind === 'headers').map((r) => r.count)).toEqual([100, 28, 100, 28, 100])
    expect(seen).toEqual(new Set(['blocks']))
    expect(sync.progress()).toEqual({ state: 'idle' })
  })

  it('reports progress while downloading', async () => {
    const local = await fresh()
    s = new SimScheduler({ seed: 7, startMs: 5000 })
    const sync = synchronizer(fakeFns(local, [peer('a'), peer('b')], s))
    const running = sync.sync()
    const during = sync.progress()
    expect(during.state).toBe('headers')
    if (during.state !== 'headers') throw new Error('unreachable')
    expect(during).toMatchObject({ targetHeight: 300, doneHeight: 0, peerCount: 2, sinceMs: 5000 })
    expect(sync.sync()).toBe(running) // idempotent while running
    let sawBlocks: SyncProgress | undefined
    let finished = false
    // look every virtual millisecond while the run goes on
    const look = (): void => {
      const p = sync.progress()
      if (p.state === 'blocks') sawBlocks ??= p
      if (!finished) s.setTimeout(look, 1)
    }
    look()
    await drive(
      s,
      running.finally(() => {
        finished = true
      }),
    )
    expect(sawBlocks).toMatchObject({ state: 'blocks', targetHeight: 300, peerCount: 2 })
    if (sawBlocks?.state !== 'blocks') throw new Error('no blocks phase seen')
    // the blocks phase began once the first headers had come back, a peer's latency later
    expect(sawBlocks.sinceMs).toBeGreaterThan(5000)
  })

  it("gives a stalling peer's batches to another peer and charges it", async () => {
    const local = await fresh()
    const stalls = (req: { blockHashes: Uint8Array[] }, answer: () => Promise<unknown>) =>
      req.blockHashes.length > 0 ? stall() : (answer() as Promise<never>).then(encode)
    const fns = fakeFns(
      local,
      [
        peer('good'),
        // Never answers and ignores its signal: only the synchronizer's own deadline gets it back.
        peer('stall', { intercept: (req, answer) => stalls(req, answer) }),
        // Times out the way the net layer reports it.
        peer('slow', {
          intercept: async (req, answer, signal) => {
            if (req.blockHashes.length === 0) return encode(await answer())
            await sleep(s, 20)
            void signal
            throw new RequestError('TIMEOUT', 'no response within 20 ms')
          },
        }),
      ],
      s,
    )
    const chargedAt = new Map<string, number>()
    const sync = synchronizer(
      {
        ...fns,
        reportPeer: (p, penalty, reason) => {
          chargedAt.set(p, s.nowMs())
          fns.reportPeer(p, penalty, reason)
        },
      },
      { requestTimeoutMs: 150 },
    )
    await drive(s, sync.sync('good'))
    expect(local.chain.head.id).toBe(source.chain.head.id)
    // the stalling peer was given up on by the synchronizer's own 150 ms deadline; the slow one by its 20 ms error
    expect(chargedAt.get('stall')).toBeGreaterThanOrEqual(150)
    expect(chargedAt.get('slow')).toBeGreaterThanOrEqual(20)
    expect(chargedAt.get('slow')).toBeLessThan(150)
    const charged = new Map(fns.reports.map((r) => [r.peer, r.penalty]))
    expect(charged).toEqual(
      new Map([
        ['stall', DEFAULT_PENALTIES.timeout],
        ['slow', DEFAULT_PENALTIES.timeout],
      ]),
    )
    expect(fns.requests.filter((r) => r.kind === 'blocks' && r.peer === 'stall').length).toBeGreaterThan(0)
  })

  it('charges a peer that serves a block other than the one asked for, and finishes from the others', async () => {
    const local = await fresh()
    const fns = fakeFns(
      local,
      [
        peer('liar', {
          intercept: async (req, answer) => {
            const res = await answer()
            if (req.blockHashes.length === 0) return encode(res)
            // A valid block, but not one it was asked for.
            return encode({ headers: [], blocks: [source.chain.genesisBlock.bytes, ...res.blocks.slice(1)] })
          },
        }),
        peer('good1'),
        peer('good2'),
      ],
      s,
    )
    const sync = synchronizer(fns)
    await drive(s, sync.sync('liar')) // its headers are fine; its blocks are not
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(fns.reports).toEqual([
      { peer: 'liar', penalty: DEFAULT_PENALTIES.unrequestedBlock, reason: expect.stringMatching(/UNREQUESTED_BLOCK/) },
    ])
  })

  it('charges a peer whose block fails import with its reject penalty and refetches it elsewhere', async () => {
    const local = await fresh()
    const junk = transfer(3, 4, 0n)
    const fns = fakeFns(
      local,
      [
        peer('mangler', {
          intercept: async (req, answer) => {
            const res = await answer()
            if (req.blockHashes.length === 0) return encode(res)
            // Same headers (so the hashes match), other bodies: BLOCK_BAD_TX_ROOT at import.
            const bad = res.blocks.map((bytes) => new Block(Block.fromBytes(bytes).header, [junk]).bytes)
            return encode({ headers: [], blocks: bad })
          },
        }),
        peer('good'),
      ],
      s,
    )
    const sync = synchronizer(fns, { blocksPerBatch: 8 })
    await drive(s, sync.sync('mangler'))
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(fns.reports).toEqual([{ peer: 'mangler', penalty: 100, reason: expect.stringMatching(/BLOCK_BAD_TX_ROOT/) }])
  })

  it('refuses headers that do not link, charges the sender and syncs from another peer', async () => {
    const local = await fresh()
    const skipOne = (res: { headers: Uint8Array[]; blocks: Uint8Array[] }) => ({
      headers: [...res.headers.slice(0, 5), ...res.headers.slice(6)],
      blocks: [],
    })
    const notFromLocator = (res: { headers: Uint8Array[]; blocks: Uint8Array[] }) => ({
      headers: res.headers.slice(1),
      blocks: [],
    })
    const tamper =
      (f: typeof skipOne): FakePeer['intercept'] =>
      async (req, answer) => {
        const res = await answer()
        return encode(req.blockHashes.length === 0 ? f(res) : res)
      }
    const fns = fakeFns(
      local,
      [
        peer('gap', { intercept: tamper(skipOne) }),
        peer('detached', { intercept: tamper(notFromLocator) }),
        peer('good'),
      ],
      s,
    )
    const first = synchronizer(fns)
    await drive(s, first.sync('gap'))
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(fns.reports).toContainEqual({ peer: 'gap', penalty: 100, reason: expect.stringMatching(/UNLINKED_HEADERS/) })

    const other = await fresh()
    const onlyDetached = fakeFns(other, [peer('detached', { intercept: tamper(notFromLocator) })], s)
    await drive(s, synchronizer(onlyDetached).sync())
    expect(other.chain.head.height).toBe(0)
    expect(onlyDetached.reports).toEqual([
      { peer: 'detached', penalty: 100, reason: expect.stringMatching(/not in our locator/) },
    ])
    expect(onlyDetached.requests.filter((r) => r.kind === 'blocks')).toEqual([])
  })

  it('asks a peer with a shorter chain only for blocks it has', async () => {
    const local = await fresh()
    const short = await copyChain(source, blocks, 100)
    const fns = fakeFns(local, [peer('full'), { id: 'short', chain: short, latencyMs: () => 0 }], s)
    await drive(s, synchronizer(fns).sync())
    expect(local.chain.head.id).toBe(source.chain.head.id)
    const fromShort = fns.requests.filter((r) => r.peer === 'short' && r.kind === 'blocks')
    expect(fromShort.length).toBeGreaterThan(0)
    for (const r of fromShort) expect(r.topHeight).toBeLessThanOrEqual(100)
    expect(fns.requests.filter((r) => r.peer === 'short' && r.kind === 'headers')).toEqual([])
  })

  it('catches up from a partial chain and stays put when no peer has more work', async () => {
    const local = await copyChain(source, blocks, 250)
    const fns = fakeFns(local, [peer('a')], s)
    const sync = synchronizer(fns)
    await drive(s, sync.sync())
    expect(fns.imports).toEqual(blocks.slice(250).map((b) => b.height))
    fns.requests.length = 0
    await drive(s, sync.sync())
    expect(fns.requests).toEqual([]) // nobody announces more work than ours
    await drive(s, sync.sync('a')) // a hint is asked once, even when its announced head is no better
    expect(fns.requests.map((r) => r.kind)).toEqual(['headers'])
  })

  it('stop() aborts in-flight requests and returns to idle', async () => {
    const local = await fresh()
    let aborted = 0
    const fns = fakeFns(
      local,
      [
        peer('stall', {
          intercept: (req, answer, signal) => {
            if (req.blockHashes.length === 0) return answer().then(encode)
            signal?.addEventListener('abort', () => aborted++)
            return stall()
          },
        }),
      ],
      s,
    )
    const sync = synchronizer(fns, { timers: undefined }) // no timers: only stop() ends the stall
    const running = sync.sync()
    await s.run({ until: () => sync.progress().state === 'blocks' })
    expect(sync.progress().state).toBe('blocks')
    const stoppedAt = s.nowMs() + 5_000
    await s.run({ untilMs: stoppedAt })
    expect(sync.progress().state).toBe('blocks') // still stalled: nothing but stop() ends it
    await drive(s, sync.stop())
    await drive(s, running)
    expect(s.nowMs()).toBe(stoppedAt)
    expect(sync.progress()).toEqual({ state: 'idle' })
    expect(aborted).toBeGreaterThan(0)
    expect(local.chain.head.height).toBe(0)
    expect(fns.reports).toEqual([])
  })

  it('charges a peer whose answer does not decode', async () => {
    const local = await fresh()
    const fns = fakeFns(
      local,
      [peer('garbage', { intercept: async () => new Uint8Array([0x0a, 0xff, 0xff]) }), peer('good')],
      s,
    )
    await drive(s, synchronizer(fns).sync('garbage'))
    expect(local.chain.head.id).toBe(source.chain.head.id)
    expect(fns.reports).toEqual([{ peer: 'garbage', penalty: 100, reason: expect.stringMatching(/^DECODE_/) }])
  })

  it('stops without blaming anyone when the chain refuses a block with an ignore verdict', async () => {
    // Our clock is far behind theirs: later blocks are BLOCK_TIME_TOO_NEW (ignore).
    const local = await openTestChain({ clock: new ManualClock(source.genesis.timestampMs + 100_000) })
    const fns = fakeFns(local, [peer('a'), peer('b')], s)
    const logs: string[] = []
    await drive(s, synchronizer(fns, { log: (msg, f) => logs.push(`${msg} ${JSON.stringify(f)}`) }).sync())
    expect(local.chain.head.height).toBeGreaterThan(50)
    expect(local.chain.head.height).toBeLessThan(300)
    expect(fns.reports).toEqual([])
    expect(logs.some((l) => l.includes('BLOCK_TIME_TOO_NEW'))).toBe(true)
  })

  it('a bug (not a peer fault) ends the run without charging anyone, and sync() still resolves', async () => {
    const local = await fresh()
    const fns = fakeFns(local, [peer('a')], s)
    const logs: string[] = []
    const sync = synchronizer(
      {
        ...fns,
        importBlock: async () => {
          throw new Error('disk on fire')
        },
      },
      { log: (msg, f) => logs.push(`${msg} ${JSON.stringify(f)}`) },
    )
    await expect(drive(s, sync.sync())).resolves.toBeUndefined()
    expect(fns.reports).toEqual([])
    expect(logs.some((l) => l.startsWith('sync: run failed') && l.includes('disk on fire'))).toBe(true)
    expect(sync.progress()).toEqual({ state: 'idle' })
  })

  it('a sync() call during a run asks for one more run after it, with its hint', async () => {
    const local = await copyChain(source, blocks, 280)
    const fns = fakeFns(local, [peer('a'), peer('b')], s)
    const sync = synchronizer(fns)
    const running = sync.sync()
    expect(sync.sync('b')).toBe(running)
    await drive(s, running)
    expect(local.chain.head.height).toBe(300)
    // The second run asks its hint even though no peer announces more work than we now have.
    expect(fns.requests.at(-1)).toMatchObject({ peer: 'b', kind: 'headers' })
  })
})
