/**
 * One address the address manager knows, and the two judgements made of it
 * (Bitcoin Core's AddrInfo): whether it is terrible (old, failing, or from
 * the future: the first to be overwritten, never selected) and how likely
 * select() is to take it (recent tries and failures make it less likely).
 */
import type { AddressSeeds } from './addrman-buckets.js'

/** "Never", for the times below: earlier than any clock, a simulated one starting at 0 included (files write it as 0). */
export const NEVER = Number.NEGATIVE_INFINITY

/** An address not heard of for this long is terrible. */
export const HORIZON_MS = 30 * 24 * 3_600_000
/** Failed attempts after which an address that never worked is terrible. */
export const RETRIES_MAX = 3
/** Failed attempts in a row after which an address whose last success is older than MIN_FAIL_MS is terrible. */
export const FAILURES_MAX = 10
export const MIN_FAIL_MS = 7 * 24 * 3_600_000
/** A timestamp this far ahead of our clock is a lie. */
export const FUTURE_SLACK_MS = 10 * 60_000
/** An address tried within this window is never terrible (give the dial time to finish). */
export const TRY_GRACE_MS = 60_000
/** select() takes an address tried within this window with 1% of its chance. */
export const RECENT_TRY_MS = 10 * 60_000
/** Failures beyond this many stop lowering the chance (0.66^8 ≈ 1/28). */
const CHANCE_ATTEMPTS_MAX = 8

export interface AddrEntry {
  readonly id: number
  /** The multiaddr, the entry's key. */
  readonly addr: string
  /** Its secret slot seeds (BucketHasher.seeds). */
  readonly seeds: AddressSeeds
  /** The peer id last known at `addr` (a completed connection corrects it). */
  peer: string
  /** Network group of the address; recomputed on load, so an AS map change regroups it. */
  readonly group: string
  /** The group buckets are chosen by: `group`, except that each `local` address is its own (see spreadGroup). */
  readonly bucketGroup: string
  /** IP of whoever told us first; its group chose the new bucket. */
  readonly sourceIp: string
  /** The source's group for bucketing (spreadGroup of it), as it was when the entry was made or loaded. */
  readonly sourceGroup: string
  /** Last time anyone announced it or we were connected to it (Bitcoin's nTime). */
  seenMs: number
  /** NEVER until the first try. */
  lastTryMs: number
  /** When a failure was last counted: at most one per good connection anywhere (we may have been offline). */
  lastCountAttemptMs: number
  /** NEVER until the first success. */
  lastSuccessMs: number
  /** Failed attempts since the last success. */
  attempts: number
  /** New-table slots holding it (empty once in tried). */
  newSlots: number[]
  /** Tried-table slot, or -1. */
  triedSlot: number
}

const triedWithin = (entry: AddrEntry, nowMs: number, windowMs: number): boolean => nowMs - entry.lastTryMs <= windowMs

export function isTerrible(entry: AddrEntry, nowMs: number): boolean {
  if (triedWithin(entry, nowMs, TRY_GRACE_MS)) return false
  if (entry.seenMs > nowMs + FUTURE_SLACK_MS) return true
  if (nowMs - entry.seenMs > HORIZON_MS) return true
  if (entry.lastSuccessMs === NEVER && entry.attempts >= RETRIES_MAX) return true
  if (nowMs - entry.lastSuccessMs > MIN_FAIL_MS && entry.attempts >= FAILURES_MAX) return true
  return false
}

/** The relative chance select() takes this entry when it lands on it. */
export function selectionChance(entry: AddrEntry, nowMs: number): number {
  let chance = 1
  if (triedWithin(entry, nowMs, RECENT_TRY_MS)) chance *= 0.01
  return chance * 0.66 ** Math.min(entry.attempts, CHANCE_ATTEMPTS_MAX)
}

/** Longest multiaddr kept (a /dns or /ip6 address with a transport stack is under 150). */
export const ADDR_CHARS_MAX = 256
/** Longest peer id kept (base58 Ed25519 ids are 52 characters, CIDs about 60). */
export const PEER_CHARS_MAX = 128

/** Whether `peer` looks like a peer id: letters and digits, bounded. */
export const isPeerShape = (peer: unknown): peer is string =>
  typeof peer === 'string' && peer.length > 0 && peer.length <= PEER_CHARS_MAX && /^[A-Za-z0-9]+$/.test(peer)

/** Whether `addr` looks like a multiaddr: a slash, then printable ASCII without spaces, bounded. */
export const isAddrShape = (addr: unknown): addr is string =>
  typeof addr === 'string' && addr.length <= ADDR_CHARS_MAX && /^\/[\x21-\x7e]+$/.test(addr)
