import { describe, expect, it, vi } from 'vitest'
import type { Chain } from '../../../src/chain/chain.js'
import { decodeStatus, encodeStatus, type StatusFields } from '../../../src/ledger/codec/wire-codec.js'
import type { PeerIdString, RequestHandler, RequestLimits } from '../../../src/net/network.js'
import { StatusExchange, type StatusFns } from '../../../src/relay/status.js'
import { statusProtocol } from '../../../src/relay/topics.js'
import { bigintToBytes, toHex } from '../../../src/util/bytes.js'
import { openTestChain, testGenesis } from '../../helpers/chain.js'

/** StatusFns over a fake network: records bans and charges; `respond` answers our requests. */
class FakeStatusNet implements StatusFns {
  readonly handlers = new Map<string, RequestHandler>()
  readonly bans: Array<{ peer: PeerIdString; reason: string }> = []
  readonly charges: Array<{ peer: PeerIdString; penalty: number }> = []
  respond: (request: Uint8Array) => Promise<Uint8Array> = async () => new Uint8Array()

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

async function setup(): Promise<{ chain: Chain; net: FakeStatusNet; status: StatusExchange; handler: RequestHandler }> {
  const { chain } = await openTestChain()
  const net = new FakeStatusNet()
  const status = new StatusExchange(net, chain, 'full')
  await status.start()
  const handler = net.handlers.get(statusProtocol(chain.chainId))
  if (!handler) throw new Error('the status protocol has no handler')
  return { chain, net, status, handler }
}

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
    const { chain, net, status, handler } = await setup()
    const answer = decodeStatus(await handler(encodeStatus(await otherGenesisStatus()), 'peer-b'))
    // The answer is our status: the other side sees another genesis and refuses us in turn.
    expect(toHex(answer.genesisHash)).toBe(chain.genesisBlock.id)
    // The ban (which hangs up) waits a moment, so our answer reaches the peer first.
    expect(net.bans).toEqual([])
    await vi.waitFor(() => expect(net.bans.map((b) => b.peer)).toEqual(['peer-b']), { timeout: 2000 })
    expect(status.statusOf('peer-b')).toBeUndefined()
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
