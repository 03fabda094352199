/**
 * The node's Bitswap (/ipfs/bitswap/1.2.0), the IPFS block exchange, through
 * @helia/bitswap over the node's own libp2p node and the files blockstore:
 * stock IPFS nodes (Helia, Kubo) fetch our blocks, and src/files/ can fetch
 * theirs (`BlockExchange`).
 *
 * @helia/bitswap 4 exports its engine only as a Helia mixin
 * (`withBitswap(helia)`), so this module hands the mixin the slice of a Helia
 * node it reads: the libp2p node (whose streams are paced per peer,
 * bitswap-pacer.ts), the blockstore, a routing that asks our DHT for
 * providers, a logger and the hashers. Every serving limit is set here
 * explicitly, by name (docs/LIMITS.md).
 */
import { withBitswap } from '@helia/bitswap'
import type { Libp2p } from '@libp2p/interface'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import type { MultihashHasher } from 'multiformats/hashes/interface'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { type Clock, systemClock } from '../util/clock.js'
import { systemTimers, type Timers } from '../util/timers.js'
import type { BucketRate } from '../util/token-bucket.js'
import { UploadPacer } from './bitswap-pacer.js'
import type { BlockExchange } from './network.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'

/** The Bitswap protocol we speak and serve (1.2.0: want-have, have and dont-have). */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'
/** Concurrent Bitswap streams per connection, each way. */
export const BITSWAP_STREAMS_PER_CONNECTION_MAX = 32
/** Largest Bitswap message sent (larger ones are split) or accepted (larger ones reset the stream). */
export const BITSWAP_MESSAGE_BYTES_MAX = 4 * 1024 * 1024
/** Wants a peer may hold with us at once: the blocks one answer loads are at most this many. */
export const BITSWAP_WANTS_PER_PEER_MAX = 128
/** Answers to one peer waiting to be sent, beyond the one being sent (one at a time per peer). */
export const BITSWAP_SEND_QUEUE_PER_PEER_MAX = 10
/** Upload to one peer over Bitswap: a burst of 16 MiB, then 32 MiB/s. */
export const BITSWAP_UPLOAD_PER_PEER: BucketRate = { capacity: 16 * 1024 * 1024, ratePerSec: 32 * 1024 * 1024 }
/**
 * Messages being sent at once over all peers: more than the connections a
 * node keeps, so a peer whose send waits on its upload debt never holds up
 * another peer's.
 */
export const BITSWAP_SENDS_AT_ONCE = 128
/** A message to or from a peer must be sent (or received) within this long. */
export const BITSWAP_MESSAGE_TIMEOUT_MS = 10_000
/** A block sent to a peer is not sent again to it within this long, even if asked. */
export const BITSWAP_NO_RESEND_MS = 5_000
/** A want-have of a block at most this large is answered with the block itself. */
export const BITSWAP_HAVE_AS_BLOCK_BYTES_MAX = 1_024
/** Our own wants in flight at once (`want` calls); more are refused. */
export const BITSWAP_OWN_WANTS_MAX = 256
/** A `want` gives up after this long, unless its caller's signal ends it first. */
export const BITSWAP_WANT_TIMEOUT_MS = 60_000
/** Providers the DHT is asked for when no connected peer has a wanted block. */
export const BITSWAP_PROVIDERS_PER_WANT = 3

export class BitswapError extends Error {
  override readonly name = 'BitswapError'
  constructor(
    readonly code:
      | 'NOT_STARTED'
      | 'ALREADY_ENABLED'
      | 'TOO_MANY_WANTS'
      | 'TIMEOUT'
      | 'UNSUPPORTED_HASH'
      | 'UNSUPPORTED_LIBRARY',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

type HeliaShape = Parameters<typeof withBitswap>[0]
type BitswapInit = NonNullable<Parameters<typeof withBitswap>[1]>
type HostForBitswap = Pick<
  Libp2p,
  | 'dialProtocol'
  | 'handle'
  | 'unhandle'
  | 'register'
  | 'unregister'
  | 'getConnections'
  | 'dial'
  | 'isDialable'
  | 'peerId'
  | 'logger'
  | 'contentRouting'
>

/** What the mixin leaves us: the engine as a block broker. */
interface BitswapBroker {
  retrieve(cid: CID, options: { signal: AbortSignal; maxProviders: number }): Promise<Uint8Array>
  announce(cid: CID): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

export interface BitswapExchangeInit {
  host: HostForBitswap
  blockstore: Blockstore
  log: NetworkLog
  clock?: Clock
  timers?: Timers
  /** Upload to one peer; default BITSWAP_UPLOAD_PER_PEER. */
  uploadPerPeer?: BucketRate
}

/** The limits handed to @helia/bitswap, each from a named constant above. */
export function bitswapOptions(): BitswapInit {
  const options: BitswapInit & { maxWantListSize: number; protocols: string[] } = {
    // the network of @helia/bitswap 4.0.x reads `protocols`, not the documented `protocol`
    protocols: [BITSWAP_PROTOCOL],
    maxInboundStreams: BITSWAP_STREAMS_PER_CONNECTION_MAX,
    maxOutboundStreams: BITSWAP_STREAMS_PER_CONNECTION_MAX,
    maxOutgoingMessageSize: BITSWAP_MESSAGE_BYTES_MAX,
    maxIncomingMessageSize: BITSWAP_MESSAGE_BYTES_MAX,
    maxWantlistSize: BITSWAP_WANTS_PER_PEER_MAX,
    // the per-peer ledger of @helia/bitswap 4.0.x reads this spelling, not the documented one
    maxWantListSize: BITSWAP_WANTS_PER_PEER_MAX,
    sendBlocksConcurrency: 1,
    sendBlocksMaxQueueLength: BITSWAP_SEND_QUEUE_PER_PEER_MAX,
    sendBlocksTimeout: BITSWAP_MESSAGE_TIMEOUT_MS,
    messageSendConcurrency: BITSWAP_SENDS_AT_ONCE,
    messageSendTimeout: BITSWAP_MESSAGE_TIMEOUT_MS,
    messageReceiveTimeout: BITSWAP_MESSAGE_TIMEOUT_MS,
    incomingStreamTimeout: BITSWAP_MESSAGE_TIMEOUT_MS,
    doNotResendBlockWindow: BITSWAP_NO_RESEND_MS,
    maxSizeReplaceHasWithBlock: BITSWAP_HAVE_AS_BLOCK_BYTES_MAX,
    runOnLimitedConnections: false,
  }
  return options
}

export class BitswapExchange implements BlockExchange {
  private broker: Promise<BitswapBroker> | undefined
  private state: 'created' | 'started' | 'stopped' = 'created'
  private wants = 0
  private readonly pacer: UploadPacer

  constructor(private readonly init: BitswapExchangeInit) {
    this.pacer = new UploadPacer(
      init.uploadPerPeer ?? BITSWAP_UPLOAD_PER_PEER,
      init.clock ?? systemClock,
      init.timers ?? systemTimers,
    )
  }

  /** Starts serving and fetching; `want` waits for it. */
  async start(): Promise<void> {
    if (this.state !== 'created') return
    this.state = 'started'
    const starting = startBroker(this.heliaShape())
    this.broker = starting
    try {
      await starting
    } catch (err) {
      if (this.broker === starting) this.broker = undefined
      throw err
    }
    this.init.log('net: bitswap started', { protocol: BITSWAP_PROTOCOL })
  }

  async stop(): Promise<void> {
    this.state = 'stopped'
    const starting = this.broker
    this.broker = undefined
    const broker = await starting?.catch(() => undefined)
    await broker?.stop().catch((err: unknown) => this.init.log('net: bitswap stop failed', { err: describe(err) }))
  }

  async want(cid: CID, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const starting = this.broker
    if (starting === undefined) throw new BitswapError('NOT_STARTED', 'bitswap is not running')
    if (this.wants >= BITSWAP_OWN_WANTS_MAX) {
      throw new BitswapError('TOO_MANY_WANTS', `${BITSWAP_OWN_WANTS_MAX} wants already in flight`)
    }
    const timeout = AbortSignal.timeout(BITSWAP_WANT_TIMEOUT_MS)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    this.wants++
    try {
      const broker = await starting
      return await broker.retrieve(cid, { signal, maxProviders: BITSWAP_PROVIDERS_PER_WANT })
    } catch (err) {
      if (timeout.aborted && options.signal?.aborted !== true) {
        throw new BitswapError('TIMEOUT', `no peer sent ${cid} within ${BITSWAP_WANT_TIMEOUT_MS} ms`)
      }
      throw err
    } finally {
      this.wants--
    }
  }

  async notify(cid: CID): Promise<void> {
    const broker = await this.broker
    await broker?.announce(cid)
  }

  /** The slice of a Helia node the bitswap mixin reads. */
  private heliaShape(): HeliaShape {
    const { host, blockstore } = this.init
    const brokers: Array<{ name?: string }> = []
    const shape = {
      status: 'starting',
      libp2p: this.pacer.pacedHost(host),
      blockstore,
      routing: { findProviders: (cid: CID, options?: { signal?: AbortSignal }) => providersOf(host, cid, options) },
      logger: host.logger,
      getHasher,
      metrics: undefined,
      blockBrokers: brokers,
      hasBlockBroker: (name: string) => brokers.some((b) => b.name === name),
      addBlockBroker: (broker: { name?: string }) => brokers.push(broker),
      mixins: [] as Array<{ start?(helia: unknown): Promise<void> }>,
      addMixin(mixin: { start?(helia: unknown): Promise<void> }) {
        this.mixins.push(mixin)
      },
    }
    return shape as unknown as HeliaShape
  }
}

/** Runs the bitswap mixin's start on the Helia-shaped object and returns the broker it added. */
async function startBroker(shape: HeliaShape): Promise<BitswapBroker> {
  withBitswap(shape, bitswapOptions())
  const { mixins, blockBrokers } = shape as unknown as {
    mixins: Array<{ start?(helia: unknown): Promise<void> }>
    blockBrokers: unknown[]
  }
  for (const mixin of mixins) await mixin.start?.(shape)
  const broker = blockBrokers[0] as Partial<BitswapBroker> | undefined
  if (
    typeof broker?.retrieve !== 'function' ||
    typeof broker.announce !== 'function' ||
    typeof broker.stop !== 'function'
  ) {
    throw new BitswapError(
      'UNSUPPORTED_LIBRARY',
      '@helia/bitswap did not add a block broker with retrieve/announce/stop',
    )
  }
  return broker as BitswapBroker
}

/** Providers from our DHT, in the shape Helia's routing yields (the peer id as a CID). */
async function* providersOf(
  host: Pick<Libp2p, 'contentRouting' | 'peerId'>,
  cid: CID,
  options?: { signal?: AbortSignal },
) {
  for await (const provider of host.contentRouting.findProviders(cid, { signal: options?.signal })) {
    if (provider.id.equals(host.peerId)) continue
    yield { id: provider.id.toCID(), multiaddrs: provider.multiaddrs, router: 'peerchain-dht', fallback: false }
  }
}

const HASHERS: ReadonlyMap<number, MultihashHasher> = new Map<number, MultihashHasher>([
  [sha256.code, sha256],
  [sha512.code, sha512],
  [identity.code, identity as unknown as MultihashHasher],
])

/** The hashes a block we fetch may be addressed by. */
function getHasher(code: number): MultihashHasher {
  const hasher = HASHERS.get(code)
  if (hasher === undefined) throw new BitswapError('UNSUPPORTED_HASH', `multihash code 0x${code.toString(16)}`)
  return hasher
}
