/**
 * `peerchain wallet …` and `peerchain tx send`: keys in the encrypted keystore
 * (src/wallet/) and transfers signed here, then submitted to a node over JSON-RPC.
 * `wallet unlock | lock | send` act on the running node's wallet instead (node-wallet.ts).
 * Exit codes: 0 ok, 1 runtime failure (node, keystore), 2 usage error.
 */
import { type Command, Option } from 'commander'
import type { RpcClient } from '../api/client.js'
import { resolveDataDir } from '../config/paths.js'
import { formatAddress, parseAddress } from '../ledger/address.js'
import { devnetKey } from '../ledger/genesis.js'
import { ABS_LIMITS } from '../ledger/limits.js'
import { Tx } from '../ledger/tx.js'
import { toHex } from '../util/bytes.js'
import { createKey, importSeed, keyInfo, listKeys, unlockKey, walletDir } from '../wallet/keystore.js'
import { readPassphrase } from '../wallet/passphrase.js'
import { UsageError } from './errors.js'
import { formatCoins } from './format.js'
import { registerNodeWalletCommands } from './node-wallet.js'
import { connect, exitOnUsageError, type RpcFlags as NodeRpcFlags, rpcOptions, run } from './rpc-options.js'

export { DEFAULT_RPC_URL, describeFailure } from './rpc-options.js'

const DEFAULT_NAME = 'default'
const DEFAULT_FEE = '1000'
const U64_MAX = (1n << 64n) - 1n
const WAIT_POLL_MS = 500

/** A runtime failure that is neither the keystore's nor the node's (exit 1). */
export class CommandError extends Error {
  override readonly name = 'CommandError'
}

interface KeyFlags {
  datadir: string
  name: string
  json?: boolean
}
interface SecretFlags extends KeyFlags {
  passphraseFile?: string
}
interface RpcFlags extends KeyFlags, NodeRpcFlags {}
interface ImportFlags extends SecretFlags {
  seedHex?: string
  devnetAccount?: string
}
interface SendFlags extends RpcFlags, SecretFlags {
  to: string
  amount: string
  fee: string
  memo?: string
  wait?: boolean
  waitTimeout: string
}

/** Adds `wallet` and `tx` to the program. */
export function registerWalletCommands(program: Command): void {
  const wallet = program.command('wallet').description('keys in the encrypted keystore (<datadir>/wallet/)')
  exitOnUsageError(wallet)
  keyOptions(wallet.command('new').description('create a new key'))
    .option('--passphrase-file <file>', 'read the passphrase from this file (or set PEERCHAIN_PASSPHRASE)')
    .action(run(walletNew))
  wallet
    .command('import')
    .description('import a known seed: a genesis-funded devnet account, or a seed in hex (visible to `ps`)')
    .option('--seed-hex <hex>', '32-byte Ed25519 seed in hex')
    .option('--devnet-account <index>', 'the seed of built-in devnet account <index>')
    .option('--passphrase-file <file>', 'read the passphrase from this file (or set PEERCHAIN_PASSPHRASE)')
    .option('--datadir <dir>', 'data directory ($PEERCHAIN_DATADIR or ~/.peerchain)', resolveDataDir())
    .option('--name <name>', 'key name', DEFAULT_NAME)
    .option('--json', 'print JSON')
    .action(run(walletImport))
  wallet
    .command('list')
    .description('list the keys and their addresses')
    .option('--datadir <dir>', 'data directory ($PEERCHAIN_DATADIR or ~/.peerchain)', resolveDataDir())
    .option('--json', 'print JSON')
    .action(run(walletList))
  keyOptions(wallet.command('address').description("print a key's address")).action(run(walletAddress))
  rpcOptions(keyOptions(wallet.command('balance').description("a key's balance and nonce, from a node"))).action(
    run(walletBalance),
  )
  registerNodeWalletCommands(wallet)

  const tx = program.command('tx').description('transactions')
  exitOnUsageError(tx)
  rpcOptions(keyOptions(tx.command('send').description('sign a transfer with a wallet key and submit it to a node')))
    .requiredOption('--to <address>', 'recipient (pc1…)')
    .requiredOption('--amount <n>', 'amount in base units (an integer)')
    .option('--fee <n>', 'fee in base units', DEFAULT_FEE)
    .option('--memo <text>', 'memo (UTF-8)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (or set PEERCHAIN_PASSPHRASE)')
    .option('--wait', 'wait until the transaction is in a block')
    .addOption(new Option('--wait-timeout <seconds>', 'give up waiting after this long').default('120'))
    .action(run(txSend))
}

function keyOptions(cmd: Command): Command {
  return cmd
    .option('--datadir <dir>', 'data directory ($PEERCHAIN_DATADIR or ~/.peerchain)', resolveDataDir())
    .option('--name <name>', 'key name', DEFAULT_NAME)
    .option('--json', 'print JSON')
}

/** A u64 in base units: decimal digits only, so "1e3", "1.5" and "-1" are refused rather than guessed at. */
export function parseBaseUnits(text: string, flag: string, { min = 0n } = {}): bigint {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${flag} must be a whole number of base units, got "${text}"`)
  const n = BigInt(text)
  if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${text}`)
  if (n > U64_MAX) throw new UsageError(`${flag} must be at most ${U64_MAX}, got ${text}`)
  return n
}

function print(flags: { json?: boolean }, json: unknown, human: string): void {
  console.log(flags.json ? JSON.stringify(json) : human)
}

async function walletNew(flags: SecretFlags): Promise<void> {
  const dir = walletDir(flags.datadir)
  const passphrase = await readPassphrase({
    passphraseFile: flags.passphraseFile,
    confirm: true,
    purpose: `the new key "${flags.name}"`,
  })
  const key = await createKey(dir, flags.name, passphrase)
  print(flags, key, `created key "${key.name}": ${key.address}\nkeystore: ${dir}/${key.name}.json`)
}

async function walletImport(flags: ImportFlags): Promise<void> {
  let seed: Uint8Array
  if (flags.seedHex !== undefined && flags.devnetAccount === undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(flags.seedHex)) throw new UsageError('--seed-hex must be 64 hex digits (32 bytes)')
    seed = new Uint8Array(Buffer.from(flags.seedHex, 'hex'))
  } else if (flags.devnetAccount !== undefined && flags.seedHex === undefined) {
    const index = Number(flags.devnetAccount)
    if (!/^[0-9]+$/.test(flags.devnetAccount) || index > 1_000_000) {
      throw new UsageError(`--devnet-account must be an account index, got "${flags.devnetAccount}"`)
    }
    seed = devnetKey(index).secretKey
  } else {
    throw new UsageError('give exactly one of --seed-hex or --devnet-account')
  }
  const passphrase = await readPassphrase({
    passphraseFile: flags.passphraseFile,
    confirm: true,
    purpose: `the key "${flags.name}"`,
  })
  const key = await importSeed(walletDir(flags.datadir), flags.name, passphrase, seed)
  print(flags, key, `imported key "${key.name}": ${key.address}`)
}

async function walletList(flags: { datadir: string; json?: boolean }): Promise<void> {
  const dir = walletDir(flags.datadir)
  const keys = await listKeys(dir, (name, err) => console.error(`peerchain: skipping key "${name}": ${err.message}`))
  const human =
    keys.length === 0
      ? `no keys in ${dir} (create one with \`peerchain wallet new\`)`
      : keys.map((k) => `${k.name.padEnd(16)} ${k.address}`).join('\n')
  print(flags, keys, human)
}

async function walletAddress(flags: KeyFlags): Promise<void> {
  const { name, address } = await keyInfo(walletDir(flags.datadir), flags.name)
  print(flags, { name, address }, address)
}

async function walletBalance(flags: RpcFlags): Promise<void> {
  const { address } = await keyInfo(walletDir(flags.datadir), flags.name)
  const account = await (await connect(flags)).call('chain_getAccount', { address })
  print(
    flags,
    { name: flags.name, ...account },
    `${flags.name} ${address}\nbalance ${formatCoins(account.balance)} (${account.balance} base units), nonce ${account.nonce}`,
  )
}

async function txSend(flags: SendFlags): Promise<void> {
  // Every usage check before the node is asked and the passphrase typed.
  const recipient = parseAddress(flags.to)
  const amount = parseBaseUnits(flags.amount, '--amount', { min: 1n })
  const fee = parseBaseUnits(flags.fee, '--fee')
  const memo = new TextEncoder().encode(flags.memo ?? '')
  if (memo.byteLength > ABS_LIMITS.memoBytesMax) {
    throw new UsageError(`--memo is ${memo.byteLength} bytes; at most ${ABS_LIMITS.memoBytesMax}`)
  }
  const waitTimeoutMs = Number(flags.waitTimeout) * 1000
  if (!(waitTimeoutMs > 0)) throw new UsageError(`--wait-timeout must be a positive number of seconds`)
  const dir = walletDir(flags.datadir)
  const { address: from } = await keyInfo(dir, flags.name)

  const client = await connect(flags, { timeoutMs: 10_000 })
  const info = await client.call('node_info')
  const account = await client.call('chain_getAccount', { address: from })
  const nonce = await nextNonce(client, from, BigInt(account.nonce))
  if (BigInt(account.balance) < amount + fee) {
    throw new CommandError(`balance ${account.balance} of ${from} does not cover amount ${amount} + fee ${fee}`)
  }

  const passphrase = await readPassphrase({ passphraseFile: flags.passphraseFile, purpose: `key "${flags.name}"` })
  const key = await unlockKey(dir, flags.name, passphrase)
  let tx: Tx
  try {
    tx = Tx.create({ chainId: info.chainId, recipient, amount, fee, nonce, memo }, key)
  } finally {
    key.secretKey.fill(0)
  }
  const submitted = await client.call('tx_submit', { tx: toHex(tx.bytes) })
  const result: Record<string, unknown> = {
    hash: submitted.hash,
    status: submitted.status,
    from,
    to: formatAddress(recipient),
    amount: amount.toString(),
    fee: fee.toString(),
    nonce: nonce.toString(),
  }
  let human = `sent ${formatCoins(amount)} from ${from} to ${result.to} (fee ${formatCoins(fee)}, nonce ${nonce})\ntx ${submitted.hash} ${submitted.status}`
  if (flags.wait) {
    if (!flags.json) process.stderr.write('waiting for a block…\n')
    const included = await waitForInclusion(client, submitted.hash, waitTimeoutMs)
    result.status = 'included'
    result.blockHash = included.blockHash
    result.height = included.height
    human += `\nincluded in block ${included.blockHash} at height ${included.height}`
  }
  print(flags, result, human)
}

/**
 * The account nonce, stepped past this sender's transactions already in the
 * node's mempool, so a second send before a block does not reuse a nonce.
 */
async function nextNonce(client: RpcClient, address: string, accountNonce: bigint): Promise<bigint> {
  const pool = await client.call('mempool_list', {})
  const pending = new Set(pool.txs.filter((t) => t.sender === address).map((t) => BigInt(t.nonce)))
  let nonce = accountNonce
  while (pending.has(nonce)) nonce++
  return nonce
}

async function waitForInclusion(
  client: RpcClient,
  hash: string,
  timeoutMs: number,
): Promise<{ blockHash: string; height: number }> {
  const deadline = Date.now() + timeoutMs
  let status = 'unknown'
  while (Date.now() < deadline) {
    const lookup = await client.call('tx_get', { hash })
    if (lookup.status === 'included') return { blockHash: lookup.blockHash, height: lookup.height }
    status = lookup.status
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS))
  }
  throw new CommandError(
    `tx ${hash} not in a block after ${timeoutMs / 1000} s (status ${status}); check later with tx_get`,
  )
}
