/**
 * `peerchain init`: a data directory ready for `peerchain start` — the node key
 * (its peer id), `peerchain.toml` with every setting commented out at its default,
 * and a wallet key. The passphrase is settled before anything is written, so a
 * run without one creates nothing. Existing keys are kept and reported, never
 * overwritten; an existing config file only with --force.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage error.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command, CommanderError } from 'commander'
import { CONFIG_FILE_NAME, ConfigError, defaultDataDir, resolveDataDir } from '../config/index.js'
import { renderDefaultConfig } from '../config/template.js'
import { loadOrCreateNodeKey, NODE_KEY_FILE } from '../net/identity.js'
import { pathExists } from '../util/fs.js'
import { createKey, keyInfo, keyPath, walletDir } from '../wallet/keystore.js'
import { readPassphrase } from '../wallet/passphrase.js'
import { UsageError } from './errors.js'
import { describeFailure } from './rpc-options.js'

export interface InitFlags {
  datadir?: string
  passphraseFile?: string
  name: string
  force?: boolean
  json?: boolean
}

type Made = 'created' | 'kept'

export interface InitResult {
  datadir: string
  config: { path: string; status: 'created' | 'overwritten' }
  nodeKey: { path: string; peerId: string; status: Made }
  wallet: { name: string; address: string; path: string; status: Made }
  /** Commands to run next. */
  next: string[]
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a data directory: node key, config file with commented defaults, wallet key')
    .option('--datadir <dir>', 'data directory (default: $PEERCHAIN_DATADIR or ~/.peerchain)')
    .option('--passphrase-file <file>', 'read the wallet passphrase from this file (or set PEERCHAIN_PASSPHRASE)')
    .option('--name <name>', 'wallet key name', 'default')
    .option('--force', 'overwrite an existing config file with the defaults (keys are never overwritten)')
    .option('--json', 'print one JSON object')
    .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (flags: InitFlags) => {
      try {
        const result = await initDataDir(flags)
        console.log(flags.json ? JSON.stringify(result) : describeResult(result))
      } catch (err) {
        const { message, exitCode } =
          err instanceof ConfigError ? { message: err.message, exitCode: 2 } : describeFailure(err)
        console.error(`peerchain: ${message}`)
        process.exitCode = exitCode
      }
    })
}

export async function initDataDir(flags: InitFlags): Promise<InitResult> {
  const datadir = resolveDataDir(flags.datadir)
  const configPath = join(datadir, CONFIG_FILE_NAME)
  const nodeKeyPath = join(datadir, NODE_KEY_FILE)
  const keystore = walletDir(datadir)
  const walletKeyPath = keyPath(keystore, flags.name) // refuses a bad name before anything else

  // Every usage check, and the passphrase, before the first file is written.
  const configExisted = await pathExists(configPath)
  if (configExisted && !flags.force) {
    throw new UsageError(`${configPath} exists already: pass --force to overwrite it with the defaults (keys are kept)`)
  }
  const walletKeyExisted = await pathExists(walletKeyPath)
  const passphrase = walletKeyExisted
    ? undefined
    : await readPassphrase({
        passphraseFile: flags.passphraseFile,
        confirm: true,
        purpose: `the new wallet key "${flags.name}"`,
      })

  await mkdir(datadir, { recursive: true, mode: 0o700 })
  const nodeKeyExisted = await pathExists(nodeKeyPath)
  const nodeKey = await loadOrCreateNodeKey(datadir, () => {})
  // An Ed25519 public key's string form is its peer id.
  const peerId = nodeKey.publicKey.toString()

  const wallet =
    passphrase === undefined ? await keyInfo(keystore, flags.name) : await createKey(keystore, flags.name, passphrase)

  // Last, so a failure above leaves no config file and `init` can simply be run again.
  await writeConfig(configPath, renderDefaultConfig(), flags.force === true)

  const dd = datadir === defaultDataDir() ? '' : ` --datadir ${shellQuote(datadir)}`
  return {
    datadir,
    config: { path: configPath, status: configExisted ? 'overwritten' : 'created' },
    nodeKey: { path: nodeKeyPath, peerId, status: nodeKeyExisted ? 'kept' : 'created' },
    wallet: {
      name: wallet.name,
      address: wallet.address,
      path: walletKeyPath,
      status: walletKeyExisted ? 'kept' : 'created',
    },
    next: [
      `peerchain start${dd}`,
      `peerchain wallet address${dd}${flags.name === 'default' ? '' : ` --name ${flags.name}`}`,
    ],
  }
}

async function writeConfig(path: string, text: string, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    // 'wx': never replace a file that appeared since the check.
    await writeFile(path, text, { mode: 0o600, flag: 'wx' })
    return
  }
  await writeFile(`${path}.tmp`, text, { mode: 0o600 })
  await rename(`${path}.tmp`, path)
}

/** A path as it can be pasted into a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}

const NEXT_WHY = ['run the node (edit the config file first to change its settings)', 'print the wallet address again']

export function describeResult(r: InitResult): string {
  const width = Math.max(...r.next.map((command) => command.length))
  return [
    `initialized ${r.datadir}`,
    `  config    ${r.config.path} (${r.config.status}: every setting commented out at its default)`,
    `  node key  ${r.nodeKey.path} (${r.nodeKey.status}), peer id ${r.nodeKey.peerId}`,
    `  wallet    "${r.wallet.name}" ${r.wallet.address} (${r.wallet.status}), ${r.wallet.path}`,
    'next:',
    ...r.next.map((command, i) => `  ${command.padEnd(width)}  ${NEXT_WHY[i] ?? ''}`),
  ].join('\n')
}
