/**
 * The node's file store and its place on the network. Opens the block store
 * (`<datadir>/files/blocks`) and the roots index (`<datadir>/files/index`),
 * both LevelDB, and builds the FilesService over them. With a network it
 * also serves the files protocol (`files/exchange/`, rate-limited per peer
 * by sync's ServeQuota), downloads through the exchange's `fetchDag` from
 * the connected peers that speak it and the providers the DHT names,
 * announces every root the node comes to hold (and re-announces them all
 * periodically, net/content-reprovider.ts), and serves its blocks over
 * Bitswap to IPFS peers. `close` stops in order: the reprovider, the
 * downloads, then the stores.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { FileBlockstore } from '../files/blockstore.js'
import {
  combineProviders,
  createFilesHandler,
  exchangeStoreOf,
  FILES_SERVE_LIMITS,
  FILES_SERVE_QUOTA,
  fetchDag,
  filesProtocol,
  type ProviderSource,
} from '../files/exchange/index.js'
import type { DagFetcher } from '../files/fetcher.js'
import { RootsIndex } from '../files/roots-index.js'
import { FilesService } from '../files/service.js'
import { Reprovider } from '../net/content-reprovider.js'
import type { BlockExchange, Network } from '../net/network.js'
import { LevelStore } from '../storage/level.js'
import { ServeQuota } from '../sync/serve-quota.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'

export interface FilesNetworking {
  network: Network
  chainId: string
  timers: Timers
  rng: Rng
  log: Logger
}

export interface FilesWiringOptions {
  dataDir: string
  clock: Clock
  /** The network to serve and fetch over; without it the store is local only (get fails with DOWNLOAD_FAILED). */
  net?: FilesNetworking
}

export interface NodeFiles {
  /** The block store: interface-blockstore's Blockstore. */
  blockstore: FileBlockstore
  service: FilesService
  /** Bitswap, when the network has it: blocks from IPFS peers. */
  bitswap?: BlockExchange
  /** Serves the files protocol and starts re-announcing: call once the network has started. */
  start(): Promise<void>
  close(): Promise<void>
}

/** The file store's directory in a data directory. */
export const filesDir = (dataDir: string): string => join(dataDir, 'files')

export async function openNodeFiles(options: FilesWiringOptions): Promise<NodeFiles> {
  const dir = filesDir(options.dataDir)
  await mkdir(dir, { recursive: true })
  const blockstore = await FileBlockstore.open(join(dir, 'blocks'))
  let index: RootsIndex
  try {
    index = await RootsIndex.open(new LevelStore(join(dir, 'index')))
  } catch (err) {
    await blockstore.close()
    throw err
  }
  const { net } = options
  const routing = net?.network.contentRouting
  const log = net?.log.child({ module: 'files' })
  const service = new FilesService({
    blockstore,
    index,
    clock: options.clock,
    fetcher: net && exchangeFetcher(net, options.clock),
    onRootHeld: (cid) => {
      routing
        ?.provide(cid)
        .catch((err: unknown) => log?.warn('provide failed', { cid: String(cid), error: String(err) }))
    },
  })
  const bitswap = net?.network.enableBitswap?.(blockstore)
  const reprovider =
    net && routing
      ? new Reprovider({
          routing,
          heldRoots: () => service.heldRoots(),
          timers: net.timers,
          log: (msg, fields) => log?.debug(msg, fields),
        })
      : undefined
  let closed = false
  return {
    blockstore,
    service,
    bitswap,
    async start() {
      if (!net) return
      const quota = new ServeQuota(
        { clock: options.clock, timers: net.timers, reportPeer: (p, n, r) => net.network.reportPeer(p, n, r) },
        FILES_SERVE_QUOTA,
      )
      const handler = createFilesHandler(exchangeStoreOf(blockstore), {
        quota,
        reportPeer: (p, n, r) => net.network.reportPeer(p, n, r),
      })
      await net.network.handle(filesProtocol(net.chainId), handler, FILES_SERVE_LIMITS)
      reprovider?.start()
    },
    async close() {
      if (closed) return
      closed = true
      reprovider?.stop()
      await service.stop()
      await index.close()
      await blockstore.close()
    },
  }
}

/** The exchange's multi-provider download as the service's DagFetcher. */
function exchangeFetcher(net: FilesNetworking, clock: Clock): DagFetcher {
  const protocol = filesProtocol(net.chainId)
  const connected: ProviderSource = async function* () {
    for (const peer of net.network.peers()) {
      // A peer that has not said it speaks the protocol is still asked when the network cannot tell.
      if (!net.network.peerSupports || (await net.network.peerSupports(peer.id, protocol))) yield peer.id
    }
  }
  const sources: ProviderSource[] = [connected]
  const routing = net.network.contentRouting
  if (routing) sources.push((root: CID, signal: AbortSignal) => routing.findProviders(root, { signal }))
  const providers = combineProviders(...sources)
  return {
    async fetch(root, { store, onProgress, signal }) {
      await fetchDag(root, {
        network: net.network,
        chainId: net.chainId,
        providers,
        store,
        clock,
        timers: net.timers,
        rng: net.rng,
        signal,
        onProgress: (p) =>
          onProgress({
            blocksDone: p.blocksFetched + p.blocksResumed,
            blocksKnown: p.blocksFetched + p.blocksResumed,
            bytesDone: p.bytesFetched + p.bytesResumed,
            bytesFetched: p.bytesFetched,
            bytesTotal: p.bytesTotal,
            providers: p.providers,
          }),
      })
    },
  }
}
