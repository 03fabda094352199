/**
 * What every command that talks to a node shares: the `--rpc` and token
 * options, the client built from them, and how failures become a message and
 * an exit code (0 ok, 1 runtime failure: node, keystore; 2 usage error).
 *
 * The node is `--rpc` > $PEERCHAIN_RPC > http://127.0.0.1:8645/. The API
 * token is `--rpc-token-file` > $PEERCHAIN_RPC_TOKEN > the cookie the node
 * wrote at its start, `<datadir>/rpc.cookie` (--datadir, $PEERCHAIN_DATADIR
 * or ~/.peerchain), sent only to a node on this machine. So a command run as
 * the operator, against the operator's node, needs no flag for it.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Command, type CommanderError, Option } from 'commander'
import { isLoopbackHost } from '../api/access.js'
import { RpcClient, RpcError, RpcTransportError } from '../api/client.js'
import { RpcCode } from '../api/errors.js'
import { resolveDataDir } from '../config/paths.js'
import { AddressError } from '../ledger/address.js'
import { WalletError } from '../wallet/errors.js'
import { UsageError } from './errors.js'

export const DEFAULT_RPC_URL = 'http://127.0.0.1:8645/'
export const RPC_URL_ENV = 'PEERCHAIN_RPC'
export const RPC_TOKEN_ENV = 'PEERCHAIN_RPC_TOKEN'
/** Where a node writes its API token at every start (node/rpc-cookie.ts). */
export const RPC_COOKIE_FILE = 'rpc.cookie'
export const TOKEN_REQUIRED_MESSAGE = `the node requires its API token: give the node's --datadir (its ${RPC_COOKIE_FILE} is read from there), --rpc-token-file <datadir>/${RPC_COOKIE_FILE}, or set ${RPC_TOKEN_ENV}`
const RPC_TIMEOUT_MS = 10_000
/** Longest token file read: a token is a short line, so anything bigger is the wrong file. */
const TOKEN_FILE_BYTES_MAX = 4096

export interface RpcFlags {
  rpc: string
  rpcTokenFile?: string
  /** Set before the action: the data directory whose cookie is sent (`--datadir`, $PEERCHAIN_DATADIR or ~/.peerchain). */
  rpcTokenDatadir?: string
}

/** Adds `--rpc` and `--rpc-token-file` to `cmd`; call it after `cmd`'s own `--datadir`, if it has one. */
export function rpcOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--rpc <url>', 'node JSON-RPC URL').env(RPC_URL_ENV).default(DEFAULT_RPC_URL))
    .addOption(
      new Option(
        '--rpc-token-file <file>',
        `read the node's API token from this file (or set ${RPC_TOKEN_ENV}; default <datadir>/${RPC_COOKIE_FILE}, to a loopback node)`,
      ),
    )
    .hook('preAction', (_hooked, action) => {
      const datadir = action.getOptionValue('datadir') as string | undefined
      action.setOptionValue('rpcTokenDatadir', resolveDataDir(datadir))
    })
}

/** The node URL: http(s) with a host, so a typo fails here with what is expected, not as "no node". */
export function parseRpcUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`--rpc must be a URL like ${DEFAULT_RPC_URL}, got "${text}"`)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new UsageError(`--rpc must be an http:// or https:// URL like ${DEFAULT_RPC_URL}, got "${text}"`)
  }
  return url.toString()
}

export interface RpcToken {
  token: string
  /** Where it came from, for messages. */
  source: string
}

/**
 * The API token to send, if any; a named token file that cannot be read is a
 * usage error. The data directory's cookie goes only to a node on this
 * machine (a loopback `rpcUrl`): another host gets a token only when named.
 */
export async function resolveRpcToken(
  flags: Pick<RpcFlags, 'rpcTokenFile' | 'rpcTokenDatadir'>,
  env: NodeJS.ProcessEnv = process.env,
  rpcUrl: string = DEFAULT_RPC_URL,
): Promise<RpcToken | undefined> {
  if (flags.rpcTokenFile !== undefined) {
    const token = await readTokenFile(flags.rpcTokenFile, true)
    return { token: token as string, source: flags.rpcTokenFile }
  }
  const fromEnv = env[RPC_TOKEN_ENV]?.trim()
  if (fromEnv) return { token: fromEnv, source: RPC_TOKEN_ENV }
  if (flags.rpcTokenDatadir !== undefined && isLoopbackHost(new URL(rpcUrl).hostname)) {
    const file = join(flags.rpcTokenDatadir, RPC_COOKIE_FILE)
    const token = await readTokenFile(file, false)
    if (token !== undefined) return { token, source: file }
  }
  return undefined
}

async function readTokenFile(file: string, required: boolean): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UsageError(`cannot read the API token file ${file}: ${(err as Error).message}`)
  }
  const token = text.trim()
  if (token === '' || text.length > TOKEN_FILE_BYTES_MAX || /\s/.test(token)) {
    throw new UsageError(`${file} does not hold an API token (one line, no spaces)`)
  }
  return token
}

interface Connection {
  url: string
  token?: RpcToken
}

/** What each command's flags connected to, so a failure can be explained (see `run`). */
const connections = new WeakMap<object, Connection>()

/** A client for the node the flags name, with its token. */
export async function connect(flags: RpcFlags, { timeoutMs = RPC_TIMEOUT_MS } = {}): Promise<RpcClient> {
  const url = parseRpcUrl(flags.rpc)
  const token = await resolveRpcToken(flags, process.env, url)
  connections.set(flags, { url, token })
  return new RpcClient(url, { timeoutMs, token: token?.token })
}

/** Commander's own usage errors (unknown option, missing value) exit 2 like ours; --help exits 0. */
export function exitOnUsageError(cmd: Command): void {
  cmd.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : 2)
  })
}

/**
 * Wraps a commander action: a thrown error is printed as `peerchain: <message>`
 * on stderr and sets the exit code. The flags are the next-to-last argument
 * commander passes (the command itself is the last).
 */
export function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args)
    } catch (err) {
      const flags = (args.length >= 2 ? args[args.length - 2] : args[0]) as Partial<RpcFlags> | undefined
      const connection = flags && typeof flags === 'object' ? connections.get(flags) : undefined
      const { message, exitCode } = describeFailure(err, connection?.url ?? flags?.rpc, connection?.token)
      console.error(`peerchain: ${message}`)
      process.exitCode = exitCode
    }
  }
}

/** The message and exit code for a command's failure; `token` is the one sent, if any, to say which was refused. */
export function describeFailure(err: unknown, rpcUrl?: string, token?: RpcToken): { message: string; exitCode: 1 | 2 } {
  if (err instanceof UsageError || err instanceof AddressError) return { message: err.message, exitCode: 2 }
  if (err instanceof WalletError) {
    return { message: err.message, exitCode: err.code === 'NO_PASSPHRASE' || err.code === 'BAD_NAME' ? 2 : 1 }
  }
  if (isUnauthorized(err)) {
    const message = token
      ? `${TOKEN_REQUIRED_MESSAGE} (it refused the token from ${token.source})`
      : TOKEN_REQUIRED_MESSAGE
    return { message, exitCode: 1 }
  }
  if (err instanceof RpcTransportError) {
    // A cause means the request never got an answer; without one the answer was not JSON-RPC.
    const message = err.cause
      ? `no node at ${rpcUrl ?? 'the RPC URL'}: start one with \`peerchain start\` or pass --rpc`
      : err.message
    return { message, exitCode: 1 }
  }
  if (err instanceof RpcError) {
    const data = err.data as { code?: unknown; reason?: unknown } | undefined
    const detail = data && typeof data.code === 'string' ? `: ${data.code}: ${String(data.reason)}` : ''
    return { message: `${err.message}${detail}`, exitCode: 1 }
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: 1 }
}

/**
 * An HTTP 401: the node's JSON-RPC refusal (UNAUTHORIZED), or a 401 whose body
 * is not JSON (e.g. from a proxy in front of the node), which the client
 * reports by its status.
 */
function isUnauthorized(err: unknown): boolean {
  if (err instanceof RpcError) return err.code === RpcCode.UNAUTHORIZED
  return err instanceof RpcTransportError && err.cause === undefined && /\bHTTP 401\b/.test(err.message)
}
