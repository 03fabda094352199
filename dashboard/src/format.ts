/** Pure formatting and parsing for the page: coins, ids, ages. No DOM, no state. */

/** Base units per coin (src/ledger/genesis.ts COIN). */
export const COIN = 100_000_000n
const COIN_DECIMALS = 8
const U64_MAX = (1n << 64n) - 1n

/** A peer id's last characters, "…x9Tq2A": the start of every Ed25519 peer id is the same "12D3KooW". */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep + 1 ? id : `…${id.slice(-keep)}`
}

/** The colour of the one group that no group rule limits (loopback, private addresses): a neutral grey. */
export const LOCAL_GROUP_COLOR = 'hsl(215, 12%, 60%)'

/**
 * A peer's network group as a colour, the same on every page and every node:
 * the hue comes from a hash (FNV-1a) of the group's name, so `ip4:203.0` is
 * always the same colour and no palette has to be kept in step.
 */
export function groupColor(group: string): string {
  if (group === 'local') return LOCAL_GROUP_COLOR
  let hash = 0x811c9dc5
  for (let i = 0; i < group.length; i++) {
    hash ^= group.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  // Lightness alternates too, so two groups whose hues land close still differ.
  const lightness = hash & 0x10000 ? 42 : 56
  return `hsl(${hash % 360}, 65%, ${lightness}%)`
}

/** The groups among `peers`, with how many peers each: the most first, ties by name. */
export function peerGroups(peers: ReadonlyArray<{ group: string }>): Array<{ group: string; count: number }> {
  const counts = new Map<string, number>()
  for (const peer of peers) counts.set(peer.group, (counts.get(peer.group) ?? 0) + 1)
  return [...counts]
    .map(([group, count]) => ({ group, count }))
    .sort((a, b) => b.count - a.count || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
}

/** A hash or address cut to its start and end: "c17d9396…d37e". */
export function shortHash(hash: string, head = 8, tail = 4): string {
  return hash.length <= head + tail + 1 ? hash : `${hash.slice(0, head)}…${hash.slice(-tail)}`
}

/** Base units (a decimal string) as coins: "250000000" → "2.5". */
export function formatCoins(baseUnits: string): string {
  const value = BigInt(baseUnits)
  const whole = value / COIN
  const frac = (value % COIN).toString().padStart(COIN_DECIMALS, '0').replace(/0+$/, '')
  return frac === '' ? whole.toLocaleString('en-US') : `${whole.toLocaleString('en-US')}.${frac}`
}

export type Parsed = { ok: true; value: bigint } | { ok: false; error: string }

/** Coins as typed by a person ("1", "0.5", "12.00000001") → base units; at most 8 decimals, more than 0. */
export function parseCoins(text: string): Parsed {
  const trimmed = text.trim()
  const match = /^(\d+)(?:\.(\d*))?$/.exec(trimmed) ?? /^()\.(\d+)$/.exec(trimmed)
  if (!match) return { ok: false, error: 'amount must be a number of coins, e.g. 1.5' }
  const [, whole = '', frac = ''] = match
  if (frac.length > COIN_DECIMALS) return { ok: false, error: `amount has more than ${COIN_DECIMALS} decimals` }
  const value = BigInt(whole || '0') * COIN + BigInt(frac.padEnd(COIN_DECIMALS, '0') || '0')
  if (value === 0n) return { ok: false, error: 'amount must be more than 0' }
  if (value > U64_MAX) return { ok: false, error: 'amount is too large' }
  return { ok: true, value }
}

/** A whole number of base units (the fee field). */
export function parseBaseUnits(text: string): Parsed {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'fee must be a whole number of base units' }
  const value = BigInt(trimmed)
  if (value > U64_MAX) return { ok: false, error: 'fee is too large' }
  return { ok: true, value }
}

/** Seconds as "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** How long ago `timestampMs` was, from `nowMs`. */
export function formatAge(timestampMs: number, nowMs: number): string {
  return `${formatDuration((nowMs - timestampMs) / 1000)} ago`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** The part of a multiaddr a person reads: "/ip4/127.0.0.1/tcp/4001/p2p/12D…" → "127.0.0.1:4001". */
export function hostOfMultiaddr(addr: string): string {
  const m = /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)/.exec(addr)
  return m ? `${m[1]}:${m[2]}` : addr
}
