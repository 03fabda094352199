/**
 * Two lab-mode libp2p hosts in one process, east on 127.0.1.1 and west on
 * 127.0.2.1, joined by the lab's link shaper at a fixed one-way latency (no
 * jitter): for tests and benches of what a WAN link does to the network.
 */
import { createHost, type Host } from '../../src/net/host.js'
import { loadOrCreateNodeKey } from '../../src/net/identity.js'
import { parseLinks } from '../../src/net/link-file.js'
import { LinkShaper } from '../../src/net/link-shaper.js'
import { resolveOptions } from '../../src/net/options.js'
import { TrafficCounter } from '../../src/net/traffic.js'
import { systemRng } from '../../src/util/rng.js'
import { systemTimers } from '../../src/util/timers.js'

export const EAST_IP = '127.0.1.1'
export const WEST_IP = '127.0.2.1'
const noLog = (): void => {}

/** The shaper of the host at `self` (EAST_IP or WEST_IP): `oneWayMs` to the other one. */
export function eastWestShaper(self: string, oneWayMs: number): LinkShaper {
  const spec = parseLinks({
    self,
    hosts: { [EAST_IP]: 'east', [WEST_IP]: 'west' },
    regions: ['east', 'west'],
    latencyMs: [
      [0, oneWayMs],
      [oneWayMs, 0],
    ],
    jitterMs: 0,
  })
  return new LinkShaper(spec, { nowMs: () => performance.now(), timers: systemTimers, rng: systemRng, log: noLog })
}

/** A started lab-mode host listening on `ip`, its outgoing bytes shaped by `shaper`. */
export async function labHost(ip: string, shaper: LinkShaper, chainId = 'labtest'): Promise<Host> {
  const options = resolveOptions({ listen: [`/ip4/${ip}/tcp/0`], bootstrap: [], chainId, lab: true, labLinks: shaper })
  const host = await createHost(options, await loadOrCreateNodeKey(undefined, noLog), {}, new TrafficCounter(), {
    appScore: () => 0,
    onLanPeer: () => {},
  })
  await host.start()
  return host
}
