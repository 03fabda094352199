/**
 * Bitcoin-style block locators: hashes from a tip back, the last few dense,
 * then with gaps doubling, always ending at genesis. The server answers from
 * the first hash it has on its main chain, so one short message finds the
 * fork point of chains of any length.
 */
import type { HeaderEntry, HeaderIndex } from '../chain/header-index.js'
import type { Header } from '../ledger/block.js'
import { toHex } from '../util/bytes.js'
import { LOCATOR_MAX } from './limits.js'

/** How many hashes come one height apart before the gaps start doubling. */
export const LOCATOR_DENSE = 10

/** Heights of a locator for a chain whose tip is at `tipHeight`: dense, then doubling gaps, then 0. */
export function locatorHeights(tipHeight: number): number[] {
  const out: number[] = []
  let step = 1
  for (let height = tipHeight; height > 0; height -= step) {
    out.push(height)
    if (out.length >= LOCATOR_DENSE) step *= 2
  }
  out.push(0)
  return out
}

export interface LocatorSource {
  readonly head: HeaderEntry
  readonly index: Pick<HeaderIndex, 'mainAt'>
}

/** The locator of our main chain, head first, genesis last. */
export function buildLocator(chain: LocatorSource): Uint8Array[] {
  return locatorHeights(chain.head.height).map((height) => {
    const entry = chain.index.mainAt(height)
    if (!entry) throw new Error(`main chain has no block at height ${height} below the head`)
    return entry.header.hash
  })
}

/** A locator over a run of linked headers (oldest first): the same shape, by position. */
export function pathLocator(path: readonly Header[]): Uint8Array[] {
  if (path.length === 0) return []
  return locatorHeights(path.length - 1).map((i) => (path[i] as Header).hash)
}

/** `first` then `rest`, without repeats, at most LOCATOR_MAX hashes, keeping `rest`'s last (genesis). */
export function mergeLocators(first: readonly Uint8Array[], rest: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>()
  const out: Uint8Array[] = []
  for (const hash of [...first, ...rest]) {
    const id = toHex(hash)
    if (seen.has(id)) continue
    seen.add(id)
    out.push(hash)
  }
  if (out.length <= LOCATOR_MAX) return out
  const last = rest.at(-1) ?? (out.at(-1) as Uint8Array)
  return [...out.slice(0, LOCATOR_MAX - 1), last]
}
