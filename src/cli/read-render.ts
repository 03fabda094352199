/**
 * The human form of each read command's RPC result. Pure: the clock and the
 * line width are parameters, so tests render exactly what a terminal shows.
 * Heights stay plain (they are pasted back into `peerchain block`); counts
 * and progress are grouped by thousands.
 */
import type {
  AddrManJson,
  BlockJson,
  MempoolJson,
  NodeStatusJson,
  PeerJson,
  PosValidatorsJson,
  SyncStatusJson,
  TxJson,
  TxLookupJson,
  ValidatorJson,
} from '../api/json.js'
import {
  formatAge,
  formatBytes,
  formatCoins,
  formatCount,
  formatEta,
  formatMemo,
  formatPercent,
  formatTime,
  shortPeerId,
} from './format.js'
import { type Column, renderFields, renderTable } from './table.js'

export interface RenderContext {
  nowMs: number
  /** Line width to fit tables to; unlimited when output is not a terminal. */
  maxWidth: number
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`

/** "syncing 1,234/5,000 (24.7%) 35.2 blocks/s ETA 1m47s", or "idle". */
export function formatSync(sync: SyncStatusJson): string {
  if (sync.state === 'idle') return 'idle'
  const progress = `${formatCount(sync.doneHeight)}/${formatCount(sync.targetHeight)} (${formatPercent(sync.doneHeight, sync.targetHeight)})`
  const phase = sync.state === 'headers' ? 'syncing headers' : 'syncing'
  return `${phase} ${progress} ${sync.blocksPerSecond.toFixed(1)} blocks/s ETA ${formatEta(sync.etaSeconds)}`
}

/** "pc1…  at #1235, round 0, prevote; 0 double signs seen": where the validator's BFT rounds stand. */
export function formatValidator(validator: ValidatorJson): string {
  const rounds = `at #${validator.height}, round ${validator.round}, ${validator.step}`
  return `${validator.address}  ${rounds}; ${plural(validator.evidenceSeen, 'double sign')} seen`
}

export function renderStatus(status: NodeStatusJson, ctx: Pick<RenderContext, 'nowMs'>): string {
  const { head, finalized, validator, peers, sync, mempool, mining } = status
  const fields: Array<[string, string]> = [
    ['head', `#${head.height}  ${head.hash}  (${formatAge(head.timestamp, ctx.nowMs)})`],
  ]
  // Proof of work has no finality: nothing to show.
  if (finalized) fields.push(['finalized', `#${finalized.height}  ${finalized.hash}`])
  if (validator) fields.push(['validator', formatValidator(validator)])
  fields.push(
    ['peers', `${formatCount(peers.inbound)} in, ${formatCount(peers.outbound)} out`],
    ['sync', formatSync(sync)],
  )
  if (sync.peer !== null) fields.push(['sync peer', sync.peer])
  fields.push(
    ['mempool', `${plural(mempool.size, 'tx', 'txs')}, ${formatBytes(mempool.bytes)}`],
    [
      'mining',
      mining.active
        ? `on, ${plural(mining.threads, 'thread')}, paying ${mining.address}`
        : `off${mining.address ? ` (payout address ${mining.address})` : ''}`,
    ],
    ['peer id', status.peerId],
    ['chain id', status.chainId],
    ['version', status.version],
  )
  return renderFields(fields)
}

const formatScore = (score: number): string => (Number.isInteger(score) ? String(score) : score.toFixed(1))

export function renderPeers(peers: readonly PeerJson[], ctx: Pick<RenderContext, 'maxWidth'>): string {
  if (peers.length === 0) return 'no peers connected (the node dials its bootstrap and known peers; check its log)'
  const inbound = peers.filter((p) => p.direction === 'inbound').length
  const groups = new Set(peers.map((p) => p.group)).size
  const columns: Column[] = [
    { header: 'ID' },
    { header: 'TYPE' },
    { header: 'GROUP' },
    { header: 'SCORE', align: 'right' },
    { header: 'ADDRESS', shrink: true, minWidth: 20 },
  ]
  const rows: string[][] = []
  for (const peer of peers) {
    // The peer's own id is in the ID column already: the addresses need not end with it.
    const suffix = `/p2p/${peer.id}`
    const addresses = peer.addresses.map((a) => (a.endsWith(suffix) ? a.slice(0, -suffix.length) : a))
    const [first = '', ...more] = addresses
    rows.push([shortPeerId(peer.id), peer.connectionType, peer.group, formatScore(peer.score), first])
    // One line per further connection address, under the first.
    for (const address of more) rows.push(['', '', '', '', address])
  }
  const summary =
    `${plural(peers.length, 'peer')}: ${formatCount(inbound)} in, ${formatCount(peers.length - inbound)} out, ` +
    `in ${plural(groups, 'network group')}`
  return `${summary}\n${renderTable(columns, rows, ctx)}`
}

/** Groups `peerchain addrman` lists unless asked for all. */
export const ADDRMAN_GROUPS_SHOWN = 20

const ADDRMAN_COLUMNS: Column[] = [
  { header: 'GROUP', shrink: true, minWidth: 16 },
  { header: 'NEW', align: 'right' },
  { header: 'TRIED', align: 'right' },
]

/** The address manager's totals, then its groups (most addresses first, as net_addrman orders them). */
export function renderAddrMan(
  book: AddrManJson,
  ctx: Pick<RenderContext, 'maxWidth'> & { groupsMax?: number },
): string {
  const total = book.new + book.tried
  const summary = `${plural(total, 'address', 'addresses')} (${formatCount(book.new)} new, ${formatCount(book.tried)} tried) in ${plural(book.groups.length, 'network group')}`
  if (book.groups.length === 0) return `${summary}: the node has learned no address yet`
  const shown = book.groups.slice(0, ctx.groupsMax ?? Number.POSITIVE_INFINITY)
  const rows = shown.map((g) => [g.group, formatCount(g.new), formatCount(g.tried)])
  const table = renderTable(ADDRMAN_COLUMNS, rows, ctx)
  const hidden = book.groups.length - shown.length
  return `${summary}\n${table}${hidden > 0 ? `\n(${plural(hidden, 'more group')}; --all lists every group)` : ''}`
}

const TX_COLUMNS: Column[] = [
  { header: 'HASH', shrink: true, minWidth: 16 },
  { header: 'FROM', shrink: true, minWidth: 16 },
  { header: 'TO', shrink: true, minWidth: 16 },
  { header: 'AMOUNT', align: 'right' },
  { header: 'FEE', align: 'right' },
]

export function renderBlock(block: BlockJson, ctx: RenderContext): string {
  const header = renderFields([
    ['height', String(block.height)],
    ['hash', block.hash],
    ['parent', block.parentHash],
    ['time', `${formatTime(block.timestamp)} (${formatAge(block.timestamp, ctx.nowMs)})`],
    ['miner', block.miner],
    ['reward', formatCoins(block.reward)],
    ['txs', formatCount(block.txs.length)],
    ['tx root', block.txRoot],
    ['state root', block.stateRoot],
    ['target', block.target],
    ['nonce', block.nonce],
  ])
  if (block.txs.length === 0) return `${header}\n\nno transactions`
  const rows = block.txs.map((tx) => [tx.hash, tx.from, tx.to, formatCoins(tx.amount), formatCoins(tx.fee)])
  return `${header}\n\n${renderTable(TX_COLUMNS, rows, ctx)}`
}

/** A tx's fields; its kind only when it is not a plain transfer (so a transfer reads as it always has), its payload only when it has one. */
function txFields(tx: TxJson): Array<[string, string]> {
  return [
    ['hash', tx.hash],
    ...(tx.kind === 'transfer' ? [] : [['kind', tx.kind] as [string, string]]),
    ['from', tx.from],
    ['to', tx.to],
    ['amount', formatCoins(tx.amount)],
    ['fee', formatCoins(tx.fee)],
    ['nonce', tx.nonce],
    ['memo', formatMemo(tx.memo)],
    ...(tx.payload === undefined ? [] : [['payload', tx.payload] as [string, string]]),
    ['chain id', tx.chainId],
  ]
}

/** A found transaction; `unknown` has nothing to show and is the caller's error. */
export function renderTxLookup(lookup: Exclude<TxLookupJson, { status: 'unknown' }>): string {
  if (lookup.status === 'pending') {
    return renderFields([['status', 'pending (in the mempool, not in a block yet)'], ...txFields(lookup.tx)])
  }
  return renderFields([
    ['status', 'included'],
    ['block', lookup.blockHash],
    ['height', String(lookup.height)],
    ['index', String(lookup.index)],
    ...txFields(lookup.tx),
  ])
}

const MEMPOOL_COLUMNS: Column[] = [
  { header: 'HASH', shrink: true, minWidth: 16 },
  { header: 'SENDER', shrink: true, minWidth: 16 },
  { header: 'NONCE', align: 'right' },
  { header: 'FEE', align: 'right' },
  { header: 'STATUS' },
]

export function renderMempool(pool: MempoolJson, ctx: Pick<RenderContext, 'maxWidth'>): string {
  if (pool.size === 0) return 'the mempool is empty'
  let summary = `${plural(pool.size, 'pending transaction')}`
  if (pool.txs.length < pool.size)
    summary += ` (the oldest ${formatCount(pool.txs.length)} shown; --limit shows up to 1000)`
  const rows = pool.txs.map((tx) => [tx.hash, tx.sender, tx.nonce, formatCoins(tx.fee), tx.status])
  return `${summary}\n${renderTable(MEMPOOL_COLUMNS, rows, ctx)}`
}

const VALIDATOR_COLUMNS: Column[] = [
  { header: 'ADDRESS', shrink: true, minWidth: 16 },
  { header: 'POWER', align: 'right' },
  { header: 'STAKE', align: 'right' },
  { header: 'JAILED' },
  { header: 'MISSED', align: 'right' },
  { header: 'PROPOSER' },
]

/** "no", "yes", or "tombstoned" (jailed for good, for signing twice). */
export function formatJail(v: { jailed: boolean; tombstoned: boolean }): string {
  return v.tombstoned ? 'tombstoned' : v.jailed ? 'yes' : 'no'
}

/**
 * `peerchain validators`: the height, its epoch and when the next begins, the
 * total power and the missed-vote window, then one row per validator in the
 * set's order; `*` marks round 0's proposer.
 */
export function renderValidators(set: PosValidatorsJson, ctx: Pick<RenderContext, 'maxWidth'>): string {
  const epoch =
    set.nextEpochHeight === null ? `epoch ${set.epoch}` : `epoch ${set.epoch}, the next from #${set.nextEpochHeight}`
  const summary =
    `${plural(set.validators.length, 'validator')} at #${set.height} (${epoch}), total power ${formatCount(BigInt(set.totalPower))}; ` +
    `missed: of the last ${plural(set.missedWindow, 'committed block')}`
  const rows = set.validators.map((v) => [
    v.address,
    formatCount(BigInt(v.power)),
    formatCoins(v.stake),
    formatJail(v),
    `${formatCount(v.missed)}/${formatCount(set.missedWindow)}`,
    v.proposer ? '*' : '',
  ])
  return `${summary}\n${renderTable(VALIDATOR_COLUMNS, rows, ctx)}`
}
