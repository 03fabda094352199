/**
 * The read commands: `peerchain status`, `peers`, `addrman`, `block <height|hash>`,
 * `tx get <hash>` and `mempool`. Each asks the node one thing over JSON-RPC
 * and prints it for people, or with `--json` prints the RPC result as is
 * (one JSON document on stdout). Exit codes: 0 ok, 1 the node failed or has
 * no such thing (the message is on stderr; `--json` still prints the result,
 * e.g. `null`), 2 usage error.
 */
import type { Command } from 'commander'
import type { RpcClient } from '../api/client.js'
import { UsageError } from './errors.js'
import {
  ADDRMAN_GROUPS_SHOWN,
  renderAddrMan,
  renderBlock,
  renderMempool,
  renderPeers,
  renderStatus,
  renderTxLookup,
} from './read-render.js'
import { connect, exitOnUsageError, type RpcFlags, rpcOptions, run } from './rpc-options.js'
import { outputWidth } from './table.js'

/** The node has no such block or transaction (exit 1). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError'
}

interface ReadFlags extends RpcFlags {
  json?: boolean
  datadir?: string
}
interface MempoolFlags extends ReadFlags {
  limit: string
}
interface AddrManFlags extends ReadFlags {
  all?: boolean
}

export const MEMPOOL_LIMIT_MAX = 1000
const MEMPOOL_LIMIT_DEFAULT = '100'
const HEIGHT_MAX = Number.MAX_SAFE_INTEGER

/** Adds the read commands; `tx get` joins the `tx` command if the program has one already. */
export function registerReadCommands(program: Command): void {
  readCommand(
    program
      .command('status')
      .description('the node at a glance: head, finality and validator (proof of stake), peers, sync, mempool, mining'),
  ).action(run(status))
  readCommand(
    program.command('peers').description('the connected peers: connection type, network group, score, address'),
  ).action(run(peers))
  readCommand(
    program
      .command('addrman')
      .description('the address manager: addresses known (new) and proven (tried), by network group'),
  )
    .option('--all', `list every group (default: the ${ADDRMAN_GROUPS_SHOWN} with the most addresses)`)
    .action(run(addrman))
  readCommand(
    program
      .command('block')
      .description('a block: its header fields and transactions')
      .argument('<height|hash>', 'a height on the main chain (e.g. 42) or a block hash (64 hex digits)'),
  ).action(run(block))
  const tx = program.commands.find((c) => c.name() === 'tx') ?? program.command('tx').description('transactions')
  readCommand(
    tx
      .command('get')
      .description('where a transaction is (pending, or in which block) and its fields')
      .argument('<hash>', 'the transaction hash (64 hex digits)'),
  ).action(run(txGet))
  readCommand(program.command('mempool').description('the pending transactions, oldest first'))
    .option('--limit <n>', `how many to list (1-${MEMPOOL_LIMIT_MAX})`, MEMPOOL_LIMIT_DEFAULT)
    .action(run(mempool))
}

function readCommand(cmd: Command): Command {
  exitOnUsageError(cmd)
  return rpcOptions(
    cmd.option('--datadir <dir>', "the node's data directory (its API token is read from there)"),
  ).option('--json', 'print the RPC result as JSON')
}

export type BlockRef = { height: number } | { hash: string }

const HASH_RE = /^(0x)?([0-9a-fA-F]{64})$/

/** A block height (decimal) or hash (64 hex digits, any case, optional 0x); anything else is a usage error. */
export function parseBlockRef(text: string): BlockRef {
  const hash = HASH_RE.exec(text)
  if (hash) return { hash: (hash[2] as string).toLowerCase() }
  if (/^[0-9]+$/.test(text)) {
    const height = Number(text)
    if (height <= HEIGHT_MAX) return { height }
    throw new UsageError(`block height ${text} is out of range: heights go up to ${HEIGHT_MAX}`)
  }
  throw new UsageError(
    `expected a block height (a whole number, e.g. 42) or a block hash (64 hex digits), got "${text}"`,
  )
}

export function parseTxHash(text: string): string {
  const hash = HASH_RE.exec(text)
  if (!hash) throw new UsageError(`expected a transaction hash (64 hex digits), got "${text}"`)
  return (hash[2] as string).toLowerCase()
}

export function parseMempoolLimit(text: string): number {
  const n = Number(text)
  if (!/^[0-9]+$/.test(text) || n < 1 || n > MEMPOOL_LIMIT_MAX) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MEMPOOL_LIMIT_MAX}, got "${text}"`)
  }
  return n
}

const context = () => ({ nowMs: Date.now(), maxWidth: outputWidth() })

function printJson(value: unknown): void {
  console.log(JSON.stringify(value))
}

async function status(flags: ReadFlags): Promise<void> {
  const result = await (await connect(flags)).call('node_status')
  if (flags.json) printJson(result)
  else console.log(renderStatus(result, context()))
}

async function peers(flags: ReadFlags): Promise<void> {
  const result = await (await connect(flags)).call('net_peers')
  if (flags.json) printJson(result)
  else console.log(renderPeers(result, context()))
}

async function addrman(flags: AddrManFlags): Promise<void> {
  const result = await (await connect(flags)).call('net_addrman')
  if (flags.json) printJson(result)
  else console.log(renderAddrMan(result, { ...context(), groupsMax: flags.all ? undefined : ADDRMAN_GROUPS_SHOWN }))
}

async function block(text: string, flags: ReadFlags): Promise<void> {
  const ref = parseBlockRef(text)
  const client = await connect(flags)
  const result = await client.call('chain_getBlock', ref)
  if (flags.json) printJson(result)
  if (result === null) throw await noBlock(client, ref)
  if (!flags.json) console.log(renderBlock(result, context()))
}

async function noBlock(client: RpcClient, ref: BlockRef): Promise<NotFoundError> {
  if ('hash' in ref) return new NotFoundError(`no block with hash ${ref.hash}`)
  const head = await client.call('chain_head')
  return new NotFoundError(`no block at height ${ref.height} (the head is at ${head.height})`)
}

async function txGet(text: string, flags: ReadFlags): Promise<void> {
  const hash = parseTxHash(text)
  const result = await (await connect(flags)).call('tx_get', { hash })
  if (flags.json) printJson(result)
  if (result.status === 'unknown') {
    throw new NotFoundError(`no transaction with hash ${hash}: it is neither in the mempool nor in the main chain`)
  }
  if (!flags.json) console.log(renderTxLookup(result))
}

async function mempool(flags: MempoolFlags): Promise<void> {
  const limit = parseMempoolLimit(flags.limit)
  const result = await (await connect(flags)).call('mempool_list', { limit })
  if (flags.json) printJson(result)
  else console.log(renderMempool(result, context()))
}
