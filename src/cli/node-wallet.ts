/**
 * `peerchain wallet unlock | lock | send`: the keys a running node holds, over
 * its guarded `wallet_*` methods. The node reads the same keystore
 * (`<datadir>/wallet`); the CLI sends the node's API token from
 * `<datadir>/rpc.cookie` by itself (rpc-options.ts), so no flag is needed
 * against the operator's own node. Unlike `tx send`, the key is unlocked in
 * the node, for `--timeout` seconds, and the node signs.
 */
import { type Command, Option } from 'commander'
import { resolveDataDir } from '../config/paths.js'
import { ABS_LIMITS } from '../ledger/limits.js'
import { readPassphrase } from '../wallet/passphrase.js'
import { UNLOCK_TIMEOUT_SEC_DEFAULT, UNLOCK_TIMEOUT_SEC_MAX } from '../wallet/unlock-limits.js'
import { UsageError } from './errors.js'
import { formatCoins } from './format.js'
import { connect, type RpcFlags, rpcOptions, run } from './rpc-options.js'

interface NodeKeyFlags extends RpcFlags {
  datadir: string
  name: string
  json?: boolean
}
interface UnlockFlags extends NodeKeyFlags {
  timeout: string
  passphraseFile?: string
}
interface NodeSendFlags extends NodeKeyFlags {
  to: string
  amount: string
  fee: string
  memo?: string
}

const DEFAULT_NAME = 'default'
const DEFAULT_FEE = '1000'

/** Adds the node-wallet commands under `wallet`. */
export function registerNodeWalletCommands(wallet: Command): void {
  nodeKeyOptions(wallet.command('unlock').description('unlock a key in the running node, for --timeout seconds'))
    .addOption(
      new Option('--timeout <seconds>', `seconds until the node locks it again, 1-${UNLOCK_TIMEOUT_SEC_MAX}`).default(
        String(UNLOCK_TIMEOUT_SEC_DEFAULT),
      ),
    )
    .option('--passphrase-file <file>', 'read the passphrase from this file (or set PEERCHAIN_PASSPHRASE)')
    .action(run(nodeUnlock))
  nodeKeyOptions(wallet.command('lock').description('lock a key in the running node now')).action(run(nodeLock))
  nodeKeyOptions(wallet.command('send').description('send from a key the running node holds unlocked; the node signs'))
    .requiredOption('--to <address>', 'recipient (pc1…)')
    .requiredOption('--amount <n>', 'amount in base units (an integer)')
    .option('--fee <n>', 'fee in base units', DEFAULT_FEE)
    .option('--memo <text>', 'memo (UTF-8)')
    .action(run(nodeSend))
}

function nodeKeyOptions(cmd: Command): Command {
  return rpcOptions(
    cmd
      .option('--datadir <dir>', "the node's data directory ($PEERCHAIN_DATADIR or ~/.peerchain)", resolveDataDir())
      .option('--name <name>', 'key name', DEFAULT_NAME)
      .option('--json', 'print JSON'),
  )
}

export function parseUnlockTimeout(text: string): number {
  const n = Number(text)
  if (!/^[0-9]+$/.test(text) || n < 1 || n > UNLOCK_TIMEOUT_SEC_MAX) {
    throw new UsageError(`--timeout must be a whole number of seconds, 1-${UNLOCK_TIMEOUT_SEC_MAX}, got "${text}"`)
  }
  return n
}

const digits = (text: string, flag: string): string => {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${flag} must be a whole number of base units, got "${text}"`)
  return text
}

async function nodeUnlock(flags: UnlockFlags): Promise<void> {
  const timeout = parseUnlockTimeout(flags.timeout)
  const client = await connect(flags)
  const passphrase = await readPassphrase({ passphraseFile: flags.passphraseFile, purpose: `key "${flags.name}"` })
  const key = await client.call('wallet_unlock', { name: flags.name, passphrase, timeout })
  const out = { ...key, timeout }
  console.log(flags.json ? JSON.stringify(out) : `unlocked "${key.name}" (${key.address}) in the node for ${timeout} s`)
}

async function nodeLock(flags: NodeKeyFlags): Promise<void> {
  await (await connect(flags)).call('wallet_lock', { name: flags.name })
  console.log(flags.json ? JSON.stringify({ name: flags.name, unlocked: false }) : `locked "${flags.name}" in the node`)
}

async function nodeSend(flags: NodeSendFlags): Promise<void> {
  const amount = digits(flags.amount, '--amount')
  const fee = digits(flags.fee, '--fee')
  const memo = flags.memo ?? ''
  if (Buffer.byteLength(memo) > ABS_LIMITS.memoBytesMax) {
    throw new UsageError(`--memo is ${Buffer.byteLength(memo)} bytes; at most ${ABS_LIMITS.memoBytesMax}`)
  }
  const client = await connect(flags)
  const sent = await client.call('wallet_send', {
    from: flags.name,
    to: flags.to,
    amount,
    fee,
    ...(memo === '' ? {} : { memo }),
  })
  const out = { ...sent, from: flags.name, to: flags.to, amount, fee }
  console.log(
    flags.json
      ? JSON.stringify(out)
      : `sent ${formatCoins(BigInt(amount))} from "${flags.name}" to ${flags.to} (fee ${formatCoins(BigInt(fee))})\ntx ${sent.hash} ${sent.status}`,
  )
}
