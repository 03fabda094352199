/**
 * Which methods need the API token on every bind, loopback included: those
 * that spend or unlock (wallet), steer the node's peers (network admin), its
 * miner, or spend and bond with its validator key (validator), or read and
 * write the node's disk (files). The rule goes
 * by prefix with a short list of read exceptions, so a method added later
 * under `wallet_`, `net_`, `miner_`, `validator_` or `files_` is guarded until someone
 * decides otherwise.
 */
import { RpcCode, RpcError } from './errors.js'

export type MethodClass = 'read' | 'wallet' | 'network-admin' | 'miner' | 'validator' | 'files'

/** Under a guarded prefix, yet only reading. */
const READ_EXCEPTIONS = new Set([
  'wallet_list',
  'net_peers',
  'net_addrman',
  'files_progress',
  'files_stat',
  'files_list',
  'files_pins',
])

const PREFIX_CLASSES: ReadonlyArray<readonly [string, MethodClass]> = [
  ['wallet_', 'wallet'],
  ['net_', 'network-admin'],
  ['miner_', 'miner'],
  ['validator_', 'validator'],
  // the network lab's methods (lab-methods.ts): they cut a node's connections
  ['lab_', 'network-admin'],
  // the file store's (files-methods.ts): they read and write the node's disk, and start downloads
  ['files_', 'files'],
]

export function methodClass(method: string): MethodClass {
  if (READ_EXCEPTIONS.has(method)) return 'read'
  for (const [prefix, cls] of PREFIX_CLASSES) if (method.startsWith(prefix)) return cls
  return 'read'
}

export const isPrivileged = (method: string): boolean => methodClass(method) !== 'read'

/** Where the token is, in every refusal: a caller should never have to guess how to authenticate. */
export const TOKEN_HOW_TO =
  'send the node\'s API token as "Authorization: Bearer <token>" (on a WebSocket URL, "?token=<token>"); ' +
  'the node writes it to <datadir>/rpc.cookie at every start, and the CLI reads it from there by itself'

/** What a call to a guarded method without the token gets, on any bind. */
export function privilegedRefusal(method: string): RpcError {
  const cls = methodClass(method)
  return new RpcError(RpcCode.UNAUTHORIZED, `unauthorized: ${method} is a ${cls} method: ${TOKEN_HOW_TO}`, {
    methodClass: cls,
    auth: 'bearer',
    cookieFile: 'rpc.cookie',
  })
}
