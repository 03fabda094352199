/** The table of functions the synchronizer runs on, over the real network and chain. */
import type { Chain } from '../chain/chain.js'
import type { Block, Header } from '../ledger/block.js'
import type { Network } from '../net/network.js'
import type { StatusExchange } from '../relay/status.js'
import { syncProtocol } from '../relay/topics.js'
import { buildLocator, createSyncClient, SYNC_REQUEST_LIMITS, type SyncFns } from '../sync/index.js'

export function createSyncFns(
  network: Network,
  chain: Chain,
  status: StatusExchange,
  checkSeal: (header: Header) => void,
  /** Starts checking a downloaded block's signatures ahead of its import (results land in the signature cache). */
  preverify: (block: Block) => void = () => {},
): SyncFns {
  const protocol = syncProtocol(chain.chainId)
  const { blockBytesMax, blockTxsMax } = chain.genesis.limits
  const client = createSyncClient(
    (peer, request, signal) => network.request(peer, protocol, request, SYNC_REQUEST_LIMITS, signal),
    {
      blockLimits: { blockBytesMax, blockTxsMax },
      withCommits: chain.hasFinality,
    },
  )
  return {
    peers: () =>
      network
        .peers()
        .map((p) => p.id)
        .filter((id) => status.statusOf(id) !== undefined),
    peerHead: (peer) => {
      const s = status.statusOf(peer)
      return s ? { height: s.headHeight, totalWork: s.totalWork } : undefined
    },
    refuteClaim: (peer) => status.refuteClaim(peer),
    // Each header's proof of work is checked as it arrives, so a made-up header chain costs
    // its sender before a single body is fetched.
    requestHeaders: async (peer, locator, max, signal) => {
      const headers = await client.requestHeaders(peer, locator, max, signal)
      for (const header of headers) checkSeal(header)
      return headers
    },
    // Blocks wait in order for their import; their signatures are checked on the worker pool meanwhile.
    requestBlocks: async (peer, hashes, signal) => {
      const blocks = await client.requestBlocks(peer, hashes, signal)
      for (const block of blocks) preverify(block)
      return blocks
    },
    importBlock: (block) => chain.importBlock(block, 'sync', block.commit),
    reportPeer: (peer, penalty, reason) => network.reportPeer(peer, penalty, reason),
    localHead: () => ({ height: chain.head.height, totalWork: chain.head.totalWork, id: chain.head.id }),
    locator: () => buildLocator(chain),
  }
}
