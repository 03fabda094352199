/**
 * How the compact relay sends to a peer.
 *
 * The messages that get no answer (a pushed block, an announcement, a mode
 * change) travel on the peer's message stream
 * (`/peerchain/<chainId>/cmpct-msg/1`, opened once per connection), so each
 * arrives half a round trip after it is sent. Where the network has no
 * message streams, or the stream fails, the message goes as a request on
 * `/cmpct/1` instead: a round trip more (the new stream's negotiation), but
 * it arrives (`deliver`).
 *
 * Requests that want an answer (a compact block, missing txs) run on our own
 * deadline on the injected timers (`ask`).
 */
import type { MessageLimits, PeerIdString, RequestLimits } from '../../net/network.js'
import { type CompactLimits, compactRequestBytesMax } from './compact-codec.js'
import type { CompactDeps } from './types.js'

/** How long a peer has to answer a missing-tx (or compact block) request. */
export const MISSING_TXS_TIMEOUT_MS = 5_000

/** Whole exchange of one push or announcement sent as a request (the receiver answers at once and works after). */
export const PUSH_TIMEOUT_MS = 5_000

/** The protocol of the long-lived message streams; it carries the chain id, so chains never mix. */
export const compactMessageProtocol = (chainId: string): string => `/peerchain/${chainId}/cmpct-msg/1`

/** Both sides' bounds on the message streams: a message is at most a pushed compact block, two of them may wait. */
export function compactMessageLimits(limits: CompactLimits): MessageLimits {
  const messageBytesMax = compactRequestBytesMax(limits)
  return { messageBytesMax, queuedBytesMax: 2 * messageBytesMax, timeoutMs: PUSH_TIMEOUT_MS }
}

/** The bounds of such a message sent as a request (its answer is empty). */
export function oneWayRequestLimits(limits: CompactLimits): RequestLimits {
  return { requestBytesMax: compactRequestBytesMax(limits), responseBytesMax: 0, timeoutMs: PUSH_TIMEOUT_MS }
}

/** Sends a message that gets no answer to `peer`: on its message stream, else as a request. Throws RequestError. */
export async function deliver(
  deps: Pick<CompactDeps, 'net' | 'chain' | 'log'>,
  peer: PeerIdString,
  message: Uint8Array,
): Promise<void> {
  const { net } = deps
  if (net.push !== undefined) {
    try {
      await net.push(peer, message)
      return
    } catch (err) {
      deps.log?.('compact message stream failed; sending a request', { peer, error: String(err) })
    }
  }
  await net.send(peer, message, oneWayRequestLimits(deps.chain.limits))
}

/** The bounds of a request whose answer is at most `responseBytesMax`. */
export function requestLimits(limits: CompactLimits, responseBytesMax: number): RequestLimits {
  return { requestBytesMax: compactRequestBytesMax(limits), responseBytesMax, timeoutMs: MISSING_TXS_TIMEOUT_MS }
}

/** One request with our own deadline (on the injected timers); undefined when it failed or timed out. */
export async function ask(
  deps: Pick<CompactDeps, 'net' | 'timers' | 'observer' | 'log'>,
  peer: PeerIdString,
  request: Uint8Array,
  limits: RequestLimits,
): Promise<Uint8Array | undefined> {
  const abort = new AbortController()
  const timer = deps.timers.setTimeout(() => abort.abort(), MISSING_TXS_TIMEOUT_MS)
  deps.observer?.bytes('out', request.byteLength)
  try {
    const deadline = new Promise<undefined>((resolve) =>
      abort.signal.addEventListener('abort', () => resolve(undefined)),
    )
    const answer = await Promise.race([deps.net.send(peer, request, limits, abort.signal), deadline])
    if (answer) deps.observer?.bytes('in', answer.byteLength)
    return answer
  } catch (err) {
    deps.log?.('compact request failed', { peer, error: String(err) })
    return undefined
  } finally {
    deps.timers.clearTimeout(timer)
    abort.abort()
  }
}
