import { describe, expect, it } from 'vitest'
import { decodeStatus, encodeStatus, type StatusFields } from '../../../src/ledger/codec/wire-codec.js'
import {
  type NetworkEvents,
  type PeerIdString,
  RequestError,
  type RequestHandler,
  type RequestLimits,
} from '../../../src/net/network.js'
import { StatusExchange, type StatusFns } from '../../../src/relay/status.js'
import { statusProtocol } from '../../../src/relay/topics.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { bigintToBytes, bytesToBigint, toHex } from '../../../src/util/bytes.js'
import { openTestChain, testGenesis } from '../../helpers/chain.js'

/** StatusFns over a fake network: records bans and charges; `respond` answers our requests. */
class FakeStatusNet implements StatusFns {
  readonly handlers = new Map<string, RequestHandler>()
  readonly bans: Array<{ peer: PeerIdString; reason: string }> = []
  readonly charges: Array<{ peer: PeerIdString; penalty: number }> = []
  respond: (request: Uint8Array) => Promise<Uint8Array> = async () => new Uint8Array()
  readonly listeners: { [E in keyof NetworkEvents]: Array<(detail: NetworkEvents[E]) => void> } = {
    'peer:connect': [],
    'peer:disconnect': [],
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

  async ban(peer: PeerIdString, reason: string): Promise<void> {
    this.bans.push({ peer, reason })
  }

  reportPeer(peer: PeerIdString, penalty: number): void {
    this.charges.push({ peer, penalty })
  }
}

async function setup() {
  const { chain } = await openTestChain()
  const net = new FakeStatusNet()
  const scheduler = new SimScheduler({ seed: 1 })
  const status = new StatusExchange({ net, chain, timers: scheduler }, { role: 'full' })
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
})
