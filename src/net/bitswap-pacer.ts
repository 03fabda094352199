/**
 * Per-peer pacing of what Bitswap sends, so no peer can take more than its
 * share of our upload, like the sync server's byte quota. @helia/bitswap
 * sends every message (the blocks it serves, its own wantlist) on a stream
 * it opens with `libp2p.dialProtocol`, so the libp2p node it is given opens
 * paced streams: each `send` charges the peer's token bucket, and once the
 * bucket is in debt the stream reports backpressure and its `onDrain` waits
 * until the debt is repaid. A peer over its rate slows only itself; the
 * library's per-peer send queue (bounded) and wantlist cap hold the rest.
 */
import { isPeerId, type Libp2p, type Stream } from '@libp2p/interface'
import type { Clock } from '../util/clock.js'
import { sleep, type Timers } from '../util/timers.js'
import { type BucketRate, KeyedBuckets } from '../util/token-bucket.js'

/** Peers whose buckets are kept at once (idle, refilled ones go first). */
export const PACED_PEERS_MAX = 1_024

export class UploadPacer {
  private readonly buckets: KeyedBuckets<string>

  constructor(
    rate: BucketRate,
    clock: Clock,
    private readonly timers: Timers,
  ) {
    this.buckets = new KeyedBuckets(rate, clock, PACED_PEERS_MAX)
  }

  /** Counts `bytes` sent to `peer`; true while the peer still has credit. */
  charge(peer: string, bytes: number): boolean {
    const bucket = this.buckets.get(peer)
    bucket.charge(bytes)
    return bucket.waitMs(0) === 0
  }

  /** Ms until the peer's debt is repaid (0 when it has none). */
  debtMs(peer: string): number {
    return this.buckets.get(peer).waitMs(0)
  }

  /** Resolves once the peer's debt is repaid, or at once when `signal` aborts. */
  async repaid(peer: string, signal?: AbortSignal): Promise<void> {
    for (let waitMs = this.debtMs(peer); waitMs > 0 && signal?.aborted !== true; waitMs = this.debtMs(peer)) {
      await sleep(this.timers, waitMs, signal)
    }
  }

  /** A stream whose sends are charged to `peer` and paced by its bucket. */
  pace(stream: Stream, peer: string): Stream {
    let backpressure = false
    const send: Stream['send'] = (data) => {
      backpressure = !stream.send(data)
      const credit = this.charge(peer, data.byteLength)
      return !backpressure && credit
    }
    const onDrain: Stream['onDrain'] = async (options) => {
      if (backpressure) await stream.onDrain(options)
      backpressure = false
      await this.repaid(peer, options?.signal)
      options?.signal?.throwIfAborted()
    }
    return forwardTo(stream, { send, onDrain })
  }

  /** `host` with `dialProtocol` opening paced streams; everything else is the host's own. */
  pacedHost<H extends Pick<Libp2p, 'dialProtocol'>>(host: H): H {
    const dialProtocol: Libp2p['dialProtocol'] = async (peer, protocols, options) => {
      const stream = await host.dialProtocol(peer, protocols, options)
      return this.pace(stream, peerKey(peer))
    }
    return forwardTo(host, { dialProtocol })
  }
}

/** The dialed peer's id (Bitswap dials by peer id; a multiaddr names it in its /p2p/ part). */
function peerKey(peer: Parameters<Libp2p['dialProtocol']>[0]): string {
  if (isPeerId(peer)) return peer.toString()
  const addr = Array.isArray(peer) ? peer[0] : peer
  return addr?.getComponents().find((c) => c.name === 'p2p')?.value ?? addr?.toString() ?? ''
}

/**
 * A view of `target` with some members replaced. Every other member is read
 * from the target itself and its methods stay bound to it, so classes with
 * private fields and event targets keep working.
 */
function forwardTo<T extends object>(target: T, overrides: { [K in keyof Libp2p | keyof Stream]?: unknown }): T {
  return new Proxy(target, {
    get(obj, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof typeof overrides]
      const value: unknown = Reflect.get(obj, prop, obj)
      return typeof value === 'function' ? value.bind(obj) : value
    },
  })
}
