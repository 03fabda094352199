/**
 * The in-memory tree of every stored header, with cumulative work, the main
 * chain by height, and the current tips. Loaded from the store at open; the
 * chain keeps it in step with every batch it commits.
 */
import type { HeaderTree } from '../consensus/engine.js'
import { Header } from '../ledger/block.js'
import { bigintToBytes, bytesToBigint } from '../util/bytes.js'

export type BlockStatus = 'stored' | 'valid' | 'invalid'

const STATUS_BYTE: Record<BlockStatus, number> = { stored: 0, valid: 1, invalid: 2 }
const BYTE_STATUS: BlockStatus[] = ['stored', 'valid', 'invalid']

export interface HeaderEntry {
  readonly header: Header
  readonly id: string
  readonly height: number
  readonly totalWork: bigint
  readonly parent: HeaderEntry | undefined
  status: BlockStatus
  /** Header version 2: the MMR state after this block (encodeMmrPeaks; chain/mmr-store.ts). */
  readonly mmr?: Uint8Array
}

export function encodeEntry(entry: Pick<HeaderEntry, 'status' | 'totalWork' | 'header'>): Uint8Array {
  const out = new Uint8Array(1 + 32 + entry.header.bytes.byteLength)
  out[0] = STATUS_BYTE[entry.status]
  out.set(bigintToBytes(entry.totalWork, 32), 1)
  out.set(entry.header.bytes, 33)
  return out
}

export function decodeEntry(bytes: Uint8Array): { status: BlockStatus; totalWork: bigint; header: Header } {
  const status = BYTE_STATUS[bytes[0] as number]
  if (!status || bytes.byteLength < 33) throw new Error('corrupt header entry in the store')
  return { status, totalWork: bytesToBigint(bytes.subarray(1, 33)), header: Header.fromBytes(bytes.subarray(33)) }
}

export class HeaderIndex implements HeaderTree {
  private readonly entries = new Map<string, HeaderEntry>()
  /** Main-chain ids by height, from genesis to the head. */
  private main: string[] = []
  private readonly tips = new Set<HeaderEntry>()

  get size(): number {
    return this.entries.size
  }

  get(id: string): HeaderEntry | undefined {
    return this.entries.get(id)
  }

  /** Adds a header whose parent is already indexed (or genesis); `mmr` on a version 2 chain. */
  add(header: Header, totalWork: bigint, status: BlockStatus, mmr?: Uint8Array): HeaderEntry {
    const parent = header.height === 0 ? undefined : this.entries.get(header.parentId)
    if (header.height !== 0 && !parent) throw new Error(`parent of ${header.id} is not indexed`)
    const entry: HeaderEntry = { header, id: header.id, height: header.height, totalWork, parent, status, mmr }
    this.entries.set(entry.id, entry)
    if (parent) this.tips.delete(parent)
    this.tips.add(entry)
    return entry
  }

  /**
   * Re-links loaded entries, given in any order. `mmrOf` (a version 2 chain)
   * gives each entry's MMR state, its parent's already indexed.
   */
  static fromLoaded(
    loaded: Array<{ header: Header; totalWork: bigint; status: BlockStatus }>,
    mmrOf?: (header: Header, totalWork: bigint, parent: HeaderEntry | undefined) => Uint8Array,
  ): HeaderIndex {
    const index = new HeaderIndex()
    // Heights are sequential along a chain, so adding by height guarantees parents come first.
    loaded.sort((a, b) => a.header.height - b.header.height)
    for (const e of loaded) {
      const parent = e.header.height === 0 ? undefined : index.entries.get(e.header.parentId)
      if (e.header.height !== 0 && !parent) continue // unreachable leftover
      index.add(e.header, e.totalWork, e.status, mmrOf?.(e.header, e.totalWork, parent))
    }
    return index
  }

  onMain(entry: HeaderEntry): boolean {
    return this.main[entry.height] === entry.id
  }

  mainAt(height: number): HeaderEntry | undefined {
    const id = this.main[height]
    return id === undefined ? undefined : this.entries.get(id)
  }

  get mainHeight(): number {
    return this.main.length - 1
  }

  /** Makes the path from genesis to `tip` the main chain. */
  setMain(tip: HeaderEntry): void {
    const path: string[] = []
    let e: HeaderEntry | undefined = tip
    while (e && !this.onMain(e)) {
      path.push(e.id)
      e = e.parent
    }
    const forkHeight = e ? e.height : -1
    this.main.length = forkHeight + 1
    for (let i = path.length - 1; i >= 0; i--) this.main.push(path[i] as string)
  }

  ancestorEntry(entry: HeaderEntry, height: number): HeaderEntry | undefined {
    if (height > entry.height || height < 0) return undefined
    let e: HeaderEntry | undefined = entry
    while (e && e.height > height) {
      if (this.onMain(e)) return this.mainAt(height)
      e = e.parent
    }
    return e
  }

  ancestor(header: Header, height: number): Header | undefined {
    const entry = this.entries.get(header.id)
    return entry ? this.ancestorEntry(entry, height)?.header : undefined
  }

  /** The last common entry of `a`'s and `b`'s chains. */
  fork(a: HeaderEntry, b: HeaderEntry): HeaderEntry {
    let x: HeaderEntry | undefined = a
    let y: HeaderEntry | undefined = b
    while (x && y && x !== y) {
      if (x.height > y.height) x = x.parent
      else if (y.height > x.height) y = y.parent
      else {
        x = x.parent
        y = y.parent
      }
    }
    if (!x || x !== y) throw new Error('headers share no ancestor: different genesis')
    return x
  }

  /** Timestamps of `entry` and up to `count - 1` of its ancestors. */
  recentTimestamps(entry: HeaderEntry, count: number): number[] {
    const out: number[] = []
    for (let e: HeaderEntry | undefined = entry; e && out.length < count; e = e.parent) out.push(e.header.timestampMs)
    return out
  }

  /** True when `entry` or one of its ancestors is known invalid. Walks back to the main chain. */
  hasInvalidAncestry(entry: HeaderEntry): boolean {
    for (let e: HeaderEntry | undefined = entry; e; e = e.parent) {
      if (e.status === 'invalid') return true
      if (this.onMain(e)) return false
    }
    return false
  }

  /** Tips ordered by cumulative work, most first; ties keep the order they were first seen. */
  tipsByWork(): HeaderEntry[] {
    return [...this.tips].sort((a, b) => (a.totalWork === b.totalWork ? 0 : a.totalWork > b.totalWork ? -1 : 1))
  }
}
