/**
 * The floodsub baseline (`gossip: 'floodsub'`) with real libp2p nodes in one
 * process, in a line a – b – c: a message published at a reaches c only
 * through b, which relays it only after its validator accepts; a message b
 * ignores goes no further; duplicates reach the copy tap.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createNetwork } from '../../../src/net/libp2p-network.js'
import type { GossipMessage, GossipVerdict, Network } from '../../../src/net/network.js'

const TOPIC = '/peerchain/floodtest/tx/1'
const running: Network[] = []

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((n) => n.stop()))
})

async function floodsubNode(verdict: (data: string) => GossipVerdict, received: string[]): Promise<Network> {
  const network = await createNetwork({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    chainId: 'floodtest',
    localCluster: true,
    gossip: 'floodsub',
    // no peer manager dials: the test wires the line itself
    outboundTarget: 0,
    blockRelayTarget: 0,
  })
  running.push(network)
  network.subscribe(
    TOPIC,
    async (msg: GossipMessage) => verdict(new TextDecoder().decode(msg.data)),
    (msg) => received.push(new TextDecoder().decode(msg.data)),
  )
  await network.start()
  return network
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('floodsub baseline', () => {
  it('relays a tx along a line of nodes after validation, and drops what a relay ignores', async () => {
    const atB: string[] = []
    const atC: string[] = []
    const a = await floodsubNode(() => 'accept', [])
    const b = await floodsubNode((data) => (data.startsWith('junk') ? 'ignore' : 'accept'), atB)
    const c = await floodsubNode(() => 'accept', atC)
    await a.dial(b.listenAddresses()[0] as string)
    await c.dial(b.listenAddresses()[0] as string)
    // subscriptions travel once the floodsub streams are up: probe until one crosses the line
    for (let i = 0; !atC.some((m) => m.startsWith('probe')); i++) {
      if (i > 200) throw new Error('no probe crossed the line')
      await a.publish(TOPIC, new TextEncoder().encode(`probe-${i}`))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await a.publish(TOPIC, new TextEncoder().encode('junk-1'))
    await a.publish(TOPIC, new TextEncoder().encode('tx-1'))
    await waitFor('tx-1 at c', () => atC.includes('tx-1'))
    expect(atB).toContain('tx-1')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(atB).not.toContain('junk-1')
    expect(atC).not.toContain('junk-1')
    // a and c are not connected: c heard it from b
    expect(a.peers().some((p) => p.id === c.peerId)).toBe(false)
  })
})
