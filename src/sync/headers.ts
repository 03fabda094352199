/**
 * Headers-first, phase one: gather a window of linked headers from one peer,
 * request after request, each with a locator over what we hold so far. The
 * first header of every answer must hang off a hash we sent (or one we hold):
 * anything else, or a break inside the answer, is the peer's fault.
 */
import type { Header } from '../ledger/block.js'
import type { PeerIdString } from '../net/network.js'
import { toHex } from '../util/bytes.js'
import { SyncPeerError } from './faults.js'
import { mergeLocators, pathLocator } from './locator.js'
import type { SyncFns } from './types.js'

export interface HeaderWindowRequest {
  fns: Pick<SyncFns, 'requestHeaders' | 'locator'>
  peer: PeerIdString
  /** Headers imported by the previous round of this run (oldest first): where to continue from. */
  tail: readonly Header[]
  /** Most new headers to gather. */
  windowMax: number
  /** Most headers per request. */
  perRequestMax: number
  /** Runs one request under the run's deadline and stop signal. */
  call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>
}

/** New linked headers (oldest first), possibly empty when the peer has nothing past our locator. */
export async function fetchHeaderWindow(req: HeaderWindowRequest): Promise<Header[]> {
  const { fns, peer, windowMax, perRequestMax } = req
  const path: Header[] = [...req.tail]
  let newFrom = path.length
  // A peer that reorgs under us can cut our path back; bound the requests so it cannot do so forever.
  let requestsLeft = 2 * Math.ceil(windowMax / perRequestMax) + 2
  while (path.length - newFrom < windowMax && requestsLeft-- > 0) {
    const local = fns.locator()
    const locator = mergeLocators(pathLocator(path), local)
    const max = Math.min(perRequestMax, windowMax - (path.length - newFrom))
    const headers = await req.call((signal) => fns.requestHeaders(peer, locator, max, signal))
    if (headers.length > max) throw new SyncPeerError('TOO_MANY', `${headers.length} headers > ${max} asked`)
    if (headers.length === 0) break
    checkLinked(headers)
    const first = headers[0] as Header
    const at = path.findLastIndex((h) => h.id === first.parentId)
    if (at >= 0) {
      if ((path[at] as Header).height + 1 !== first.height) {
        throw new SyncPeerError('UNLINKED_HEADERS', `header ${first.id} at height ${first.height} follows our ${at}`)
      }
      path.length = at + 1
      newFrom = Math.min(newFrom, path.length)
    } else if (local.some((hash) => toHex(hash) === first.parentId)) {
      path.length = 0
      newFrom = 0
    } else {
      throw new SyncPeerError('UNLINKED_HEADERS', `first header's parent ${first.parentId} is not in our locator`)
    }
    path.push(...headers)
    if (headers.length < max) break
  }
  return path.slice(newFrom)
}

/** Each header's parent is the one before it, one height down. */
export function checkLinked(headers: readonly Header[]): void {
  for (let i = 1; i < headers.length; i++) {
    const prev = headers[i - 1] as Header
    const header = headers[i] as Header
    if (header.parentId !== prev.id || header.height !== prev.height + 1) {
      throw new SyncPeerError('UNLINKED_HEADERS', `header ${i} (${header.id}) does not follow header ${i - 1}`)
    }
  }
}
