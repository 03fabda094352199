/**
 * The lab link shaper under two real libp2p hosts in lab mode, on 127.0.1.1
 * and 127.0.2.1, in one process: a 100 ms one-way link makes a ping's round
 * trip at least 200 ms and at most 200 ms plus the measured shaper error
 * (twice: one error each way) and a small margin; a partition refuses and
 * cuts connections, and healing lets them back.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Host } from '../../../src/net/host.js'
import type { LinkShaper } from '../../../src/net/link-shaper.js'
import { measureShaperError, type ShaperError } from '../../../src/net/link-shaper-measure.js'
import { EAST_IP, eastWestShaper, labHost, WEST_IP } from '../../helpers/lab-hosts.js'

const ONE_WAY_MS = 100
/** Timer and scheduling slack on a busy 2-core machine, beyond the measured error. */
const MARGIN_MS = 30

const addrOf = (host: Libp2p) => host.getMultiaddrs()[0] as ReturnType<Libp2p['getMultiaddrs']>[0]

describe('lab link shaper over real libp2p hosts', () => {
  let east: Host
  let west: Host
  let eastShaper: LinkShaper
  let westShaper: LinkShaper
  let error: ShaperError

  beforeAll(async () => {
    error = await measureShaperError({ latencyMs: ONE_WAY_MS, samples: 100, intervalMs: 2 })
    eastShaper = eastWestShaper(EAST_IP, ONE_WAY_MS)
    westShaper = eastWestShaper(WEST_IP, ONE_WAY_MS)
    east = await labHost(EAST_IP, eastShaper)
    west = await labHost(WEST_IP, westShaper)
  })

  afterAll(async () => {
    await Promise.allSettled([east?.stop(), west?.stop()])
  })

  it('a ping over a 100 ms link takes at least 200 ms, and at most that plus the measured error and a margin', async () => {
    await east.dial(addrOf(west))
    const rtts: number[] = []
    for (let i = 0; i < 5; i++) rtts.push(await east.services.ping.ping(west.peerId))
    // the connection's remote address is the dialer's own lab IP, so both directions are shaped
    expect(west.getConnections(east.peerId)[0]?.remoteAddr.toString()).toContain('/ip4/127.0.1.1/')
    rtts.sort((a, b) => a - b)
    expect(rtts[0]).toBeGreaterThanOrEqual(2 * ONE_WAY_MS)
    const median = rtts[2] as number
    expect(median).toBeLessThanOrEqual(2 * ONE_WAY_MS + 2 * error.p99 + MARGIN_MS)
  })

  it('a partition cuts the connection and refuses new ones both ways; healing lets them back', async () => {
    if (east.getConnections(west.peerId).length === 0) await east.dial(addrOf(west))
    const groups = [['127.0.1.1'], ['127.0.2.1']]
    expect(eastShaper.setPartition(groups).closed).toBeGreaterThanOrEqual(1)
    westShaper.setPartition(groups)
    await waitFor(() => east.getConnections(west.peerId).length === 0 && west.getConnections(east.peerId).length === 0)
    await expect(east.dial(addrOf(west))).rejects.toThrow()
    await expect(west.dial(addrOf(east))).rejects.toThrow()
    // west healed, east not: east refuses to dial, and refuses west's dial on arrival
    westShaper.setPartition(null)
    await expect(east.dial(addrOf(west))).rejects.toThrow()
    await expect(west.dial(addrOf(east))).rejects.toThrow()
    eastShaper.setPartition(null)
    await east.dial(multiaddr(addrOf(west).toString()))
    expect(await east.services.ping.ping(west.peerId)).toBeGreaterThanOrEqual(2 * ONE_WAY_MS)
  })
})

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
