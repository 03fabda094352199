/**
 * The address manager on disk (`<dataDir>/addrman.json`, written whole and
 * atomically by net/). The file keeps the bucket secret, so buckets stay
 * put across restarts, and each entry's source, so its new bucket can be
 * derived again: positions are never read from the file, a hand-edited or
 * corrupted file cannot put an address where the key would not.
 *
 * Reading is strict about what the document is (version 1, a 32-byte hex
 * key, the two lists: AddrManFileError otherwise) and lenient about entries
 * (a malformed one is skipped and counted). Only as many entries as the
 * tables hold are looked at. Pure: fuzzed.
 */
import { isIP } from 'node:net'
import { ADDRMAN_KEY_BYTES, BUCKET_SIZE, NEW_BUCKET_COUNT, TRIED_BUCKET_COUNT } from './addrman-buckets.js'
import { type AddrEntry, isAddrShape, isPeerShape, NEVER } from './addrman-entry.js'
import { ipOfAddr } from './net-group.js'

export const ADDRMAN_FILE = 'addrman.json'
/** Entries each list of the file may hold: the table's capacity. */
export const NEW_ENTRIES_MAX = NEW_BUCKET_COUNT * BUCKET_SIZE
export const TRIED_ENTRIES_MAX = TRIED_BUCKET_COUNT * BUCKET_SIZE
/** A full file: 81,920 entries of at most ~600 bytes as written (pretty-printed). Pass to JsonFile as its size cap. */
export const ADDRMAN_FILE_BYTES_MAX = 64 * 1024 * 1024
/** Failure counts above this are clamped on load (they only ever compare against 10). */
const ATTEMPTS_MAX = 1_000

export interface AddrManFileEntry {
  peer: string
  addr: string
  /** IP of the peer that told us first ('' when unknown). */
  source: string
  seenMs: number
  /** 0: never. */
  lastTryMs: number
  /** 0: never. */
  lastSuccessMs: number
  attempts: number
}

export interface AddrManFile {
  version: 1
  /** The bucket secret, 64 hex digits. */
  key: string
  /** When the last good connection (to anyone) was made: failures before it count. */
  lastGoodMs: number
  tried: AddrManFileEntry[]
  new: AddrManFileEntry[]
}

/** A document that is not an address manager file. */
export class AddrManFileError extends Error {
  override readonly name = 'AddrManFileError'
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`)
  }
}

/** Times are written as they are, NEVER as 0 (no real clock reads 0). */
const timeOrZero = (ms: number): number => (ms === NEVER ? 0 : ms)
const zeroAsNever = (ms: number): number => (ms === 0 ? NEVER : ms)

export function entryRecord(entry: AddrEntry): AddrManFileEntry {
  return {
    peer: entry.peer,
    addr: entry.addr,
    source: entry.sourceIp,
    seenMs: entry.seenMs,
    lastTryMs: timeOrZero(entry.lastTryMs),
    lastSuccessMs: timeOrZero(entry.lastSuccessMs),
    attempts: entry.attempts,
  }
}

/** A non-negative safe integer; -0 (which JSON.parse yields for "-0") is refused so saves round-trip exactly. */
const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0)

/** A well-formed entry of the file, or undefined. */
function readEntry(item: unknown): AddrManFileEntry | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  const { peer, addr, source, seenMs, lastTryMs, lastSuccessMs, attempts } = item as Record<string, unknown>
  if (!isPeerShape(peer) || !isAddrShape(addr) || ipOfAddr(addr) === undefined) return undefined
  if (typeof source !== 'string' || (source !== '' && isIP(source) === 0)) return undefined
  if (!isTime(seenMs) || !isTime(lastTryMs) || !isTime(lastSuccessMs) || !isTime(attempts)) return undefined
  return {
    peer,
    addr,
    source,
    seenMs,
    lastTryMs: zeroAsNever(lastTryMs),
    lastSuccessMs: zeroAsNever(lastSuccessMs),
    attempts: Math.min(attempts, ATTEMPTS_MAX),
  }
}

export interface ParsedAddrManFile {
  key: Uint8Array
  lastGoodMs: number
  tried: AddrManFileEntry[]
  new: AddrManFileEntry[]
  /** Malformed entries and entries past a list's capacity. */
  skipped: number
}

/** Reads a parsed addrman.json; AddrManFileError when it is not one. */
export function parseAddrManFile(doc: unknown, path: string): ParsedAddrManFile {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new AddrManFileError(path, 'not an object')
  const { version, key, lastGoodMs, tried, new: fresh } = doc as Record<string, unknown>
  if (version !== 1) throw new AddrManFileError(path, `unknown version ${JSON.stringify(version) ?? 'undefined'}`)
  if (typeof key !== 'string' || !new RegExp(`^[0-9a-fA-F]{${ADDRMAN_KEY_BYTES * 2}}$`).test(key)) {
    throw new AddrManFileError(path, `"key" is not ${ADDRMAN_KEY_BYTES} bytes of hex`)
  }
  if (!Array.isArray(tried) || !Array.isArray(fresh)) throw new AddrManFileError(path, 'no "tried" and "new" lists')
  let skipped = Math.max(0, tried.length - TRIED_ENTRIES_MAX) + Math.max(0, fresh.length - NEW_ENTRIES_MAX)
  const read = (list: unknown[], max: number): AddrManFileEntry[] => {
    const out: AddrManFileEntry[] = []
    for (let i = 0; i < Math.min(list.length, max); i++) {
      const entry = readEntry(list[i])
      if (entry === undefined) skipped++
      else out.push(entry)
    }
    return out
  }
  return {
    key: Uint8Array.from(Buffer.from(key, 'hex')),
    lastGoodMs: isTime(lastGoodMs) ? zeroAsNever(lastGoodMs) : NEVER,
    tried: read(tried, TRIED_ENTRIES_MAX),
    new: read(fresh, NEW_ENTRIES_MAX),
    skipped,
  }
}
