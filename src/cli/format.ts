/**
 * How the CLI shows numbers to people: coins, counts, byte sizes, durations,
 * ages and long identifiers. Pure functions; `--json` output never goes
 * through them.
 */
import { COIN } from '../ledger/genesis.js'

export const COIN_UNIT = 'PC'
const COIN_DECIMALS = COIN.toString().length - 1

/** Groups digits by thousands: 1234567 → "1,234,567". */
export function formatCount(n: number | bigint): string {
  const text = typeof n === 'bigint' ? n.toString() : String(Math.trunc(n))
  const negative = text.startsWith('-')
  const digits = negative ? text.slice(1) : text
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return negative ? `-${grouped}` : grouped
}

/**
 * Base units (a decimal string, as the API sends them) as coins: up to 8
 * decimals with trailing zeros dropped and the unit, e.g. "1250000000" → "12.5 PC".
 * Exact for any u64: no floating point is involved.
 */
export function formatCoins(baseUnits: string | bigint): string {
  const units = typeof baseUnits === 'bigint' ? baseUnits : parseUnits(baseUnits)
  const sign = units < 0n ? '-' : ''
  const abs = units < 0n ? -units : units
  const whole = formatCount(abs / COIN)
  const fraction = (abs % COIN).toString().padStart(COIN_DECIMALS, '0').replace(/0+$/, '')
  return `${sign}${whole}${fraction ? `.${fraction}` : ''} ${COIN_UNIT}`
}

function parseUnits(text: string): bigint {
  if (!/^-?[0-9]+$/.test(text))
    throw new TypeError(`expected a whole number of base units, got ${JSON.stringify(text)}`)
  return BigInt(text)
}

/** A byte size: "512 B", "3.4 KiB", "12.0 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/**
 * A duration in whole seconds, two units at most: "45s", "1m47s", "2h05m",
 * "3d04h". Rounded to the second first, so 59.6 s reads "1m00s", not "60s".
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`not a duration: ${seconds}`)
  const s = Math.round(seconds)
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`
  return `${formatCount(Math.floor(s / 86_400))}d${pad(Math.floor((s % 86_400) / 3600))}h`
}

/** Time left, or "unknown" when the node cannot say yet (null, negative, infinite). */
export function formatEta(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) || seconds < 0 ? 'unknown' : formatDuration(seconds)
}

/**
 * How long ago a millisecond timestamp was, relative to `nowMs`: "12s ago";
 * "3s ahead of this clock" when the clocks disagree by a second or more
 * (less is noise, shown as "0s ago").
 */
export function formatAge(timestampMs: number, nowMs: number): string {
  const ageMs = nowMs - timestampMs
  if (ageMs <= -1000) return `${formatDuration(-ageMs / 1000)} ahead of this clock`
  return `${formatDuration(Math.max(ageMs, 0) / 1000)} ago`
}

/** A millisecond timestamp as UTC ISO 8601 without the milliseconds when they are zero. */
export function formatTime(timestampMs: number): string {
  return new Date(timestampMs).toISOString().replace('.000Z', 'Z')
}

/** `done` of `total` as a percentage with one decimal; never "100.0%" before the end, never above it. */
export function formatPercent(done: number, total: number): string {
  if (total <= 0 || done >= total) return '100.0%'
  const tenths = Math.min(Math.round((Math.max(done, 0) / total) * 1000), 999)
  return `${(tenths / 10).toFixed(1)}%`
}

/**
 * A libp2p peer id made short enough for a table: the multihash prefix that
 * names the key type (the first 8 characters, "12D3KooW" for Ed25519) and the
 * last 8, which tell peers apart.
 */
export function shortPeerId(id: string): string {
  return id.length <= 20 ? id : `${id.slice(0, 8)}…${id.slice(-8)}`
}

/** Cuts `text` to `width` characters by replacing its middle with "…", keeping both ends recognisable. */
export function ellipsize(text: string, width: number): string {
  const chars = [...text]
  if (chars.length <= width) return text
  if (width <= 1) return '…'.slice(0, width)
  const head = Math.ceil((width - 1) / 2)
  const tail = width - 1 - head
  return `${chars.slice(0, head).join('')}…${tail > 0 ? chars.slice(-tail).join('') : ''}`
}

/** Control characters and bidirectional overrides: a memo holding any could rewrite what the terminal shows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const UNPRINTABLE_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/**
 * A memo (hex, as the API sends it) for people: quoted UTF-8 text when it is
 * printable, else "0x" and the hex; "(none)" when empty.
 */
export function formatMemo(hex: string): string {
  if (hex === '') return '(none)'
  const bytes = Buffer.from(hex, 'hex')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return `0x${hex}`
  }
  return UNPRINTABLE_RE.test(text) ? `0x${hex}` : JSON.stringify(text)
}
