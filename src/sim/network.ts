/**
 * The simulated network: a `SimFabric` shared by every simulated node and one
 * `SimNetwork` endpoint (implementing net/network.ts's `Network`) per node.
 *
 *   const fabric = new SimFabric({ scheduler, gossip: 'gossipsub', jitterMs: 5 })
 *   const net = fabric.addNode({ region: 'europe', uplinkBitsPerSec: 20e6 })
 *
 * The parts: fabric.ts (nodes, connections, packet timing), partition.ts,
 * endpoint.ts (the Network of one node), gossip.ts + mesh.ts (gossipsub-like
 * mesh with lazy IHAVE/IWANT, or flooding), requests.ts (request/response),
 * links.ts (ids, packets, link arithmetic), regions.ts (latency matrices).
 */
export type { SimStats } from './counters.js'
export { SimNetwork } from './endpoint.js'
export { type AddNodeOptions, SimFabric, type SimFabricInit } from './fabric.js'
export { GOSSIP_DEFAULTS, type GossipModel, type GossipParams } from './gossip-params.js'
export { FRAME_OVERHEAD_BYTES, parseSimPeerId, simAddress, simPeerId, transmitMs } from './links.js'
export { type LatencyMatrix, WAN6 } from './regions.js'
