/**
 * The lab's shaped TCP transport: @libp2p/tcp underneath, with the upgrader
 * it is handed wrapped, so every raw connection, dialed or accepted, reaches
 * the upgrade (encryption, muxing, the connection gater's checks) already
 * shaped by the LinkShaper (link-shaper.ts). Loaded only with `--lab-links`.
 */
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import { serviceCapabilities, transportSymbol } from '@libp2p/interface'
import { type TCPComponents, type TCPOptions, tcp } from '@libp2p/tcp'
import { ipOf } from './ban-target.js'
import type { LinkShaper } from './link-shaper.js'

/** The upgrader `upgrader` with each raw connection shaped before its upgrade. */
export function shapedUpgrader(upgrader: Upgrader, shaper: Pick<LinkShaper, 'shape'>): Upgrader {
  // shape() throws for a connection across the lab's partition: the transport aborts it
  const shape = (conn: MultiaddrConnection): MultiaddrConnection => shaper.shape(conn)
  return {
    // async: a refusal must reach the transport as a rejection (its listener aborts the connection then)
    upgradeOutbound: (async (conn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeOutbound']>[1]) =>
      upgrader.upgradeOutbound(shape(conn), opts)) as Upgrader['upgradeOutbound'],
    upgradeInbound: (async (conn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeInbound']>[1]) =>
      upgrader.upgradeInbound(shape(conn), opts)) as Upgrader['upgradeInbound'],
    createInboundAbortSignal: (signal) => upgrader.createInboundAbortSignal(signal),
    getStreamMuxers: () => upgrader.getStreamMuxers(),
    getConnectionEncrypters: () => upgrader.getConnectionEncrypters(),
  }
}

/** The `transports` entry for createLibp2p: tcp(init) with every connection shaped by `shaper`. */
export function shapedTcp(
  init: TCPOptions,
  shaper: Pick<LinkShaper, 'shape' | 'checkReachable'>,
): (components: TCPComponents) => Transport {
  const createTcp = tcp(init)
  return (components) => {
    const inner = createTcp(components)
    return {
      [transportSymbol]: true,
      [Symbol.toStringTag]: '@peerchain/lab-shaped-tcp',
      [serviceCapabilities]: ['@libp2p/transport'],
      dial: async (ma, options) => {
        // across the partition: refused before a packet leaves
        shaper.checkReachable(ipOf(ma)?.address)
        return inner.dial(ma, { ...options, upgrader: shapedUpgrader(options.upgrader, shaper) })
      },
      createListener: (options) =>
        inner.createListener({ ...options, upgrader: shapedUpgrader(options.upgrader, shaper) }),
      listenFilter: (addrs) => inner.listenFilter(addrs),
      dialFilter: (addrs) => inner.dialFilter(addrs),
    }
  }
}
