/**
 * createNetwork, the net layer's composition root: it reads the node's files
 * (key, bans, address manager, anchors, AS map), builds the inbound gate,
 * peer discipline and connection gater, the libp2p node, and the Network
 * over it (libp2p-network-impl.ts).
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { loadAsMap } from '../peers/asmap.js'
import { netGroup } from '../peers/net-group.js'
import type { GroupPolicy } from '../peers/types.js'
import { systemRng } from '../util/rng.js'
import { BANS_FILE, BanList, type BansFile, createConnectionGater } from './bans.js'
import { DiscouragementFilter } from './discouraged.js'
import { createHost, type Host } from './host.js'
import { inboundConnections } from './host-views.js'
import { loadOrCreateNodeKey } from './identity.js'
import { InboundGate } from './inbound-gate.js'
import { JsonFile } from './json-file.js'
import { Libp2pNetwork } from './libp2p-network-impl.js'
import type { Network, NetworkTaps, PeerCut } from './network.js'
import { type NetworkInit, resolveOptions } from './options.js'
import { PeerActivityLog } from './peer-activity.js'
import { PeerDiscipline } from './peer-discipline.js'
import { PeerFiles } from './peer-files.js'
import { toPeerId } from './peer-ids.js'
import { describe } from './request.js'
import { PeerScores } from './scores.js'
import { TrafficCounter } from './traffic.js'

export type { NetworkInit } from './options.js'

/**
 * Builds the libp2p-backed Network: loads (or creates) the node key, bans,
 * the address manager and the anchors from `init.dataDir`, and creates the
 * libp2p node stopped. Call `start()` to listen, dial and discover.
 */
export async function createNetwork(init: NetworkInit): Promise<Network & NetworkTaps> {
  const options = resolveOptions(init)
  const nowMs = (): number => Date.now()
  const { dataDir, log } = options
  const privateKey = await loadOrCreateNodeKey(dataDir, log)
  const bans = new BanList(
    new JsonFile<BansFile>(dataDir === undefined ? undefined : join(dataDir, BANS_FILE)),
    nowMs,
    log,
  )
  await bans.load()
  const policy: GroupPolicy = { lab: options.lab, localCluster: options.localCluster }
  if (options.asmapFile !== undefined) {
    const asmap = await loadAsMap(options.asmapFile)
    policy.asmap = asmap
    log('net: AS map loaded', { file: options.asmapFile, prefixes: asmap.size })
  }
  const files = new PeerFiles(dataDir, log)
  const addrman = await files.loadAddrMan({ policy, nowMs, rng: systemRng })
  const anchors = await files.takeAnchors()
  const groupOf = (ip: string): string => netGroup(ip, policy)
  const activity = new PeerActivityLog(nowMs)
  let host: Host | undefined
  const inboundGate = new InboundGate({
    limits: {
      inboundMax: options.inboundMax,
      perIpMax: options.inboundPerIpMax,
      perGroupMax: options.inboundPerGroupMax,
    },
    policy,
    groupOf,
    inbound: () => (host === undefined ? [] : inboundConnections(host, groupOf, activity)),
    evict: (peer, why) => {
      log('net: evicting an inbound peer', { peer, why })
      void host
        ?.hangUp(toPeerId(peer))
        .catch((err: unknown) => log('net: eviction failed', { peer, err: describe(err) }))
    },
    // eviction's favoured groups only need to be unknown to others, not stable across restarts
    key: randomBytes(32),
    nowMs,
    reservationMs: options.handshakeTimeoutMs,
  })
  const scores = new PeerScores(nowMs)
  let forget: (peer: string) => void = () => {}
  let onCut: (cut: PeerCut) => void = () => {}
  const discipline = new PeerDiscipline({
    host: {
      getConnections: (peer) => host?.getConnections(peer) ?? [],
      hangUp: async (peer) => host?.hangUp(peer),
    },
    banList: bans,
    discouraged: new DiscouragementFilter(nowMs),
    scores,
    forget: (peer) => forget(peer),
    sharedIp: options.localCluster && !options.lab,
    log,
    onCut: (cut) => onCut(cut),
  })
  const gater = createConnectionGater({
    isRefused: (peer) => discipline.isRefused(peer),
    isAddressRefused: (address, family) => discipline.isAddressRefused(address, family),
    admitInbound: (ip) => inboundGate.admit(ip),
  })
  const traffic = new TrafficCounter()
  let onLanPeer: (peer: string, addrs: string[]) => void = () => {}
  host = await createHost(options, privateKey, gater, traffic, {
    appScore: (peer) => scores.get(peer),
    onLanPeer: (peer, addrs) => onLanPeer(peer, addrs),
  })
  const network = new Libp2pNetwork(host, options, {
    discipline,
    scores,
    trafficCounter: traffic,
    policy,
    activity,
    inboundGate,
    addrman,
    anchors,
    files,
    nowMs,
  })
  onLanPeer = (peer, addrs) => network.lanPeerFound(peer, addrs)
  forget = (peer) => network.forgetAddresses(peer)
  onCut = (cut) => network.peerCut(cut)
  return network
}
