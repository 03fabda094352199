import { describe, expect, it } from 'vitest'
import { decodeStatus, encodeStatus, type StatusFields } from '../../../src/ledger/codec/wire-codec.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import {
  type NetworkEvents,
  type PeerIdString,
  RequestError,
  type RequestHandler,
  type RequestLimits,
} from '../../../src/net/network.js'
import {
  STATUS_OVER_QUOTA_PENALTY,
  STATUS_REQUEST_RATE,
  StatusExchange,
  type StatusFns,
} from '../../../src/relay/status.js'
import { statusProtocol } from '../../../src/relay/topics.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { bigintToBytes, bytesToBigint, toHex } from '../../../src/util/bytes.js'
import { openTestChain, testGenesis } from '../../helpers/chain.js'

/** StatusFns over a fake network: records bans and charges; `respond` answers our requests. */
class FakeStatusNet implements StatusFns {
  readonly handlers = new Map<string, RequestHandler>()
  readonly bans: Array<{ peer: PeerIdString; reason: string }> = []
  readonly charges: Array<{ peer: PeerIdString; penalty: number }> = []
  /** Peers reported with a completed status exchange, in order. */
  readonly completed: PeerIdString[] = []
  respond: (request: Uint8Array) => Promise<Uint8Array> = async () => new Uint8Array()
  readonly listeners: { [E in keyof NetworkEvents]: Array<(detail: NetworkEvents[E]) => void> } = {
    'peer:connect': [],
    'peer:disconnect': [],
    'peer:identify': [],
  }

  on<E extends keyof NetworkEvents>(event: E, listener: (detail: NetworkEvents[E]) => void): void {
    this.listeners[event].push(listener)
  }

  emit<E extends keyof NetworkEvents>(event: E, detail: NetworkEvents[E]): void {
    for (const listener of this.listeners[event]) listener(detail)
  }

  async handle(protocol: string, handler: RequestHandler, _limits: RequestLimits): Promise<void> {
    this.handlers.set(protocol, handler)
  }

  request(_peer: PeerIdString, _protocol: string, request: Uint8Array): Promise<Uint8Array> {
    return this.respond(request)
  }

  discourage(peer: PeerIdString, reason: string): void {
    this.bans.push({ peer, reason })
  }

  reportPeer(peer: PeerIdString, penalty: number): void {
    this.charges.push({ peer, penalty })
  }

  notePeerActivity(peer: PeerIdString, kind: 'status'): void {
    if (kind === 'status') this.completed.push(peer)
  }

  /** Peers the network found to be stock IPFS nodes (Bitswap, no peerchain protocol). */
  readonly contentOnly = new Set<PeerIdString>()

  async isContentOnlyPeer(peer: PeerIdString): Promise<boolean> {
    return this.contentOnly.has(peer)
  }
}

async function setup() {
  const { chain } = await openTestChain()
  const net = new FakeStatusNet()
  const scheduler = new SimScheduler({ seed: 1 })
  const status = new StatusExchange({ net, chain, clock: scheduler, timers: scheduler }, { role: 'full' })
  await status.start()
  const handler = net.handlers.get(statusProtocol(chain.chainId))
  if (!handler) throw new Error('the status protocol has no handler')
  const ahead: PeerIdString[] = []
  status.onPeerAhead((peer) => ahead.push(peer))
  return { chain, net, status, handler, scheduler, ahead }
}

/** Lets every promise the handshake started settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

/** The status of a node whose genesis differs from ours (same chain id). */
async function otherGenesisStatus(): Promise<StatusFields> {
  const { chain } = await openTestChain({ genesis: testGenesis({ blockTimeMs: 1234 }) })
  return {
    chainId: chain.chainId,
    genesisHash: chain.genesisBlock.hash,
    headHash: chain.genesisBlock.hash,
    headHeight: 0n,
    totalWork: bigintToBytes(1n),
    role: 'full',
  }
}

describe('StatusExchange', () => {
  it('answers a peer of our chain with our status and remembers its head', async () => {
    const { chain, net, status, handler } = await setup()
    const theirs = { ...status.ours(), headHeight: 7n, totalWork: bigintToBytes(99n) }
    const answer = decodeStatus(await handler(encodeStatus(theirs), 'peer-a'))
    expect(toHex(answer.genesisHash)).toBe(chain.genesisBlock.id)
    expect(status.statusOf('peer-a')).toMatchObject({ headHeight: 7, totalWork: 99n })
    expect(net.bans).toEqual([])
  })

  it('bans a peer of another genesis that asks us, and still answers it so it learns the mismatch', async () => {
    const { chain, net, status, handler, scheduler } = await setup()
    const answer = decodeStatus(await handler(encodeStatus(await otherGenesisStatus()), 'peer-b'))
    // The answer is our status: the other side sees another genesis and refuses us in turn.
    expect(toHex(answer.genesisHash)).toBe(chain.genesisBlock.id)
    // The ban (which hangs up) waits a moment, so our answer reaches the peer first.
    const start = scheduler.nowMs()
    await scheduler.run({ untilMs: start + 499 })
    expect(net.bans).toEqual([])
    await scheduler.run({ untilMs: start + 500 })
    expect(net.bans.map((b) => b.peer)).toEqual(['peer-b'])
    expect(status.statusOf('peer-b')).toBeUndefined()
  })

  it('bans a peer of another genesis at once when it hangs up within the grace, so it cannot come back meanwhile', async () => {
    const { net, status, handler, scheduler } = await setup()
    await handler(encodeStatus(await otherGenesisStatus()), 'peer-b')
    expect(net.bans).toEqual([])
    status.forget('peer-b') // its disconnect
    expect(net.bans.map((b) => b.peer)).toEqual(['peer-b'])
    await scheduler.run({ untilMs: scheduler.nowMs() + 1_000 })
    expect(net.bans.map((b) => b.peer)).toEqual(['peer-b']) // once, not again at the timer
  })

  it('greets every new connection and reports a peer with more work to the ahead listeners', async () => {
    const { net, status, ahead } = await setup()
    let work = 99n
    net.respond = async () => encodeStatus({ ...status.ours(), headHeight: 7n, totalWork: bigintToBytes(work) })
    net.emit('peer:connect', 'peer-ahead')
    await settle()
    expect(ahead).toEqual(['peer-ahead'])
    expect(status.statusOf('peer-ahead')).toMatchObject({ headHeight: 7, totalWork: 99n })
    work = bytesToBigint(status.ours().totalWork)
    net.emit('peer:connect', 'peer-level')
    await settle()
    expect(ahead).toEqual(['peer-ahead'])
    expect(status.statusOf('peer-level')).toBeDefined()
    net.emit('peer:disconnect', 'peer-ahead')
    expect(status.statusOf('peer-ahead')).toBeUndefined()
  })

  it('never reports a light peer as ahead (it holds headers only), however much work it shows', async () => {
    const { net, status, ahead } = await setup()
    net.respond = async () =>
      encodeStatus({ ...status.ours(), headHeight: 70n, totalWork: bigintToBytes(1n << 100n), role: 'light' })
    net.emit('peer:connect', 'peer-light')
    await settle()
    expect(ahead).toEqual([])
    expect(status.statusOf('peer-light')).toMatchObject({ role: 'light', headHeight: 70 })
    expect(net.completed).toEqual(['peer-light'])
  })

  it("bans a peer that does not speak our chain's status protocol", async () => {
    const { net, ahead } = await setup()
    net.respond = async () => {
      throw new RequestError('PROTOCOL', 'protocol selection failed')
    }
    net.emit('peer:connect', 'peer-x')
    await settle()
    expect(net.bans).toEqual([{ peer: 'peer-x', reason: 'does not speak this chain id' }])
    expect(ahead).toEqual([])
  })

  it('leaves a stock IPFS node (Bitswap only) connected: it fetches files, it is not on another chain', async () => {
    const { net, ahead } = await setup()
    net.respond = async () => {
      throw new RequestError('PROTOCOL', 'protocol selection failed')
    }
    net.contentOnly.add('peer-ipfs')
    net.emit('peer:connect', 'peer-ipfs')
    net.emit('peer:connect', 'peer-other-chain')
    await settle()
    expect(net.bans).toEqual([{ peer: 'peer-other-chain', reason: 'does not speak this chain id' }])
    expect(ahead).toEqual([])
  })

  it("keeps a peer's head current from later blocks, never moving it back", async () => {
    const { status, handler } = await setup()
    await handler(encodeStatus({ ...status.ours(), headHeight: 7n, totalWork: bigintToBytes(99n) }), 'peer-a')
    status.updateHead('peer-a', 8, 120n, 'aa')
    expect(status.statusOf('peer-a')).toMatchObject({ headHeight: 8, totalWork: 120n, headId: 'aa' })
    status.updateHead('peer-a', 6, 90n, 'bb')
    expect(status.statusOf('peer-a')).toMatchObject({ headHeight: 8, totalWork: 120n, headId: 'aa' })
  })

  it('bans a peer whose answer shows another genesis', async () => {
    const { net, status } = await setup()
    const theirs = await otherGenesisStatus()
    net.respond = async () => encodeStatus(theirs)
    expect(await status.exchange('peer-c')).toBeUndefined()
    expect(net.bans.map((b) => b.peer)).toEqual(['peer-c'])
  })

  it('charges a peer that sends malformed status bytes and answers it nothing', async () => {
    const { net, handler } = await setup()
    await expect(handler(Uint8Array.of(0xff, 0xff, 0xff), 'peer-d')).rejects.toThrow()
    expect(net.charges).toEqual([{ peer: 'peer-d', penalty: 100 }])
    expect(net.bans).toEqual([])
  })

  it('refuses and charges status requests past the per-peer quota; other peers are still answered', async () => {
    const { net, status, handler, scheduler } = await setup()
    const ours = encodeStatus(status.ours())
    for (let i = 0; i < STATUS_REQUEST_RATE.capacity; i++) await handler(ours, 'peer-spam')
    expect(net.charges).toEqual([])
    await expect(handler(ours, 'peer-spam')).rejects.toThrow('past')
    expect(net.charges).toEqual([{ peer: 'peer-spam', penalty: STATUS_OVER_QUOTA_PENALTY }])
    await expect(handler(ours, 'peer-other')).resolves.toBeInstanceOf(Uint8Array)
    // The quota refills with time.
    await scheduler.run({ untilMs: scheduler.nowMs() + 1000 / STATUS_REQUEST_RATE.ratePerSec })
    await expect(handler(ours, 'peer-spam')).resolves.toBeInstanceOf(Uint8Array)
  })

  it('a refuted claim stops counting: only proven work does, also after a reconnect', async () => {
    const { net, status, ahead } = await setup()
    net.respond = async () => encodeStatus({ ...status.ours(), headHeight: 9n, totalWork: bigintToBytes(1n << 100n) })
    net.emit('peer:connect', 'peer-liar')
    await settle()
    expect(ahead).toEqual(['peer-liar'])
    status.refuteClaim('peer-liar')
    expect(status.statusOf('peer-liar')).toMatchObject({ totalWork: 0n, claimTrusted: false })
    net.emit('peer:disconnect', 'peer-liar')
    net.emit('peer:connect', 'peer-liar')
    await settle()
    expect(ahead).toEqual(['peer-liar'])
    expect(status.statusOf('peer-liar')).toMatchObject({ totalWork: 0n, claimTrusted: false })
    // A block it gossiped that we accepted proves that much work.
    status.updateHead('peer-liar', 3, 40n, 'cc')
    expect(status.statusOf('peer-liar')).toMatchObject({ totalWork: 40n, provenWork: 40n, headHeight: 3 })
  })
})

describe('the completed exchange reported to the network (it stops the status deadline)', () => {
  it('reports a peer of our chain, whichever side asked', async () => {
    const { net, status, handler } = await setup()
    await handler(encodeStatus(status.ours()), 'asked-us')
    net.respond = async () => encodeStatus(status.ours())
    net.emit('peer:connect', 'we-asked')
    await settle()
    expect(net.completed).toEqual(['asked-us', 'we-asked'])
  })

  it('never reports a peer of another chain, a silent one or one that sends junk', async () => {
    const { net, status, handler } = await setup()
    await handler(encodeStatus(await otherGenesisStatus()), 'other-chain')
    await expect(handler(Uint8Array.of(0xff, 0xff), 'junk')).rejects.toThrow()
    net.respond = () => new Promise(() => {})
    net.emit('peer:connect', 'silent')
    await settle()
    expect(status.statusOf('silent')).toBeUndefined()
    expect(net.completed).toEqual([])
  })
})

describe('strict Status decoding', () => {
  const valid = async (): Promise<StatusFields> => {
    const { status } = await setup()
    return status.ours()
  }

  it('refuses totalWork of any length but 32 bytes', async () => {
    const ours = await valid()
    for (const length of [0, 1, 31, 33, 64]) {
      const bytes = encodeStatus({ ...ours, totalWork: new Uint8Array(length).fill(1) })
      expect(() => decodeStatus(bytes), `${length} bytes`).toThrow(DecodeError)
    }
    expect(decodeStatus(encodeStatus(ours)).totalWork.byteLength).toBe(32)
  })

  it('refuses a headHeight past 2^53 - 1 and keeps the largest safe one exact', async () => {
    const ours = await valid()
    const max = BigInt(Number.MAX_SAFE_INTEGER)
    expect(decodeStatus(encodeStatus({ ...ours, headHeight: max })).headHeight).toBe(max)
    for (const headHeight of [max + 1n, 1n << 63n, (1n << 64n) - 1n]) {
      expect(() => decodeStatus(encodeStatus({ ...ours, headHeight })), String(headHeight)).toThrow(DecodeError)
    }
  })

  it('refuses hashes that are not 32 bytes', async () => {
    const ours = await valid()
    expect(() => decodeStatus(encodeStatus({ ...ours, genesisHash: new Uint8Array(31) }))).toThrow(DecodeError)
    expect(() => decodeStatus(encodeStatus({ ...ours, headHash: new Uint8Array(0) }))).toThrow(DecodeError)
  })

  it('charges the peer whose status is malformed, on either side of the handshake', async () => {
    const { net, status, handler } = await setup()
    const bad = encodeStatus({ ...status.ours(), headHeight: 1n << 60n })
    await expect(handler(bad, 'peer-e')).rejects.toThrow(DecodeError)
    net.respond = async () => encodeStatus({ ...status.ours(), totalWork: new Uint8Array(40) })
    await expect(status.exchange('peer-f')).rejects.toThrow(DecodeError)
    expect(net.charges).toEqual([
      { peer: 'peer-e', penalty: 100 },
      { peer: 'peer-f', penalty: 100 },
    ])
    expect(status.statusOf('peer-e')).toBeUndefined()
    expect(status.statusOf('peer-f')).toBeUndefined()
  })
})
