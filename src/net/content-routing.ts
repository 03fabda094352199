/**
 * Content routing over the node's own kad-dht (our protocol id, never the
 * public IPFS DHT): `provide` puts a provider record for a CID on the DHT
 * peers closest to it, `findProviders` asks them who announced it. The
 * providers' addresses land in libp2p's peer store as they are found, so a
 * request to a provider dials it by its id alone.
 */
import type { Libp2p } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { ContentRouting, PeerIdString } from './network.js'

/** Providers one search yields at most (and by default). */
export const PROVIDERS_FOUND_MAX = 20
/** A provide gives up after this long (a DHT walk to the closest peers, then one put to each). */
export const PROVIDE_TIMEOUT_MS = 60_000
/** A provider search gives up after this long, having yielded what it found. */
export const FIND_PROVIDERS_TIMEOUT_MS = 30_000

export class ContentRoutingError extends Error {
  override readonly name = 'ContentRoutingError'
  constructor(
    readonly code: 'BAD_MAX' | 'PROVIDE_FAILED' | 'FIND_FAILED',
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

/** The slice of a libp2p node content routing needs. */
export type ContentRoutingHost = Pick<Libp2p, 'contentRouting' | 'peerId'>

export class DhtContentRouting implements ContentRouting {
  constructor(private readonly host: ContentRoutingHost) {}

  async provide(cid: CID, options: { signal?: AbortSignal } = {}): Promise<void> {
    const signal = withTimeout(options.signal, PROVIDE_TIMEOUT_MS)
    try {
      await this.host.contentRouting.provide(cid, { signal })
    } catch (err) {
      if (options.signal?.aborted) throw err
      throw new ContentRoutingError('PROVIDE_FAILED', `${cid}: ${messageOf(err)}`)
    }
  }

  async *findProviders(
    cid: CID,
    options: { signal?: AbortSignal; max?: number } = {},
  ): AsyncGenerator<PeerIdString, void, undefined> {
    const max = options.max ?? PROVIDERS_FOUND_MAX
    if (!Number.isInteger(max) || max < 1 || max > PROVIDERS_FOUND_MAX) {
      throw new ContentRoutingError('BAD_MAX', `max must be an integer in 1..${PROVIDERS_FOUND_MAX}: ${max}`)
    }
    const timeout = AbortSignal.timeout(FIND_PROVIDERS_TIMEOUT_MS)
    const signal = withTimeout(options.signal, timeout)
    let found = 0
    try {
      for await (const provider of this.host.contentRouting.findProviders(cid, { signal })) {
        if (provider.id.equals(this.host.peerId)) continue
        yield provider.id.toString()
        found++
        if (found >= max) return
      }
    } catch (err) {
      if (options.signal?.aborted) throw err
      // the search's own deadline ends it with what it found
      if (timeout.aborted) return
      throw new ContentRoutingError('FIND_FAILED', `${cid}: ${messageOf(err)}`)
    }
  }
}

function withTimeout(signal: AbortSignal | undefined, timeout: number | AbortSignal): AbortSignal {
  const deadline = typeof timeout === 'number' ? AbortSignal.timeout(timeout) : timeout
  return signal === undefined ? deadline : AbortSignal.any([signal, deadline])
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
