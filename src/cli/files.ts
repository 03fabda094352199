/**
 * `peerchain files add PATH | get CID [-o PATH] | ls | pin CID | unpin CID |
 * gc | stat CID`: the running node's file store, over its `files_*` methods.
 * `add` takes a path on the node's machine (made absolute here); `get`
 * starts or joins the download, polls it, draws a progress bar on a
 * terminal (bytes, rate, providers, ETA) or prints JSON lines with
 * `--json`, then has the node write the result to `-o PATH` (default
 * `./<CID>`). Every command takes `--json`.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type {
  FileAddedJson,
  FileDownloadJson,
  FileExportJson,
  FileGcJson,
  FileRootJson,
  FileStatJson,
} from '../files/json.js'
import {
  renderAdded,
  renderDownloadEnd,
  renderDownloadLine,
  renderExported,
  renderGc,
  renderRoots,
  renderStat,
} from './files-render.js'
import { type BarStream, LineBar } from './line-bar.js'
import { connect, exitOnUsageError, type RpcFlags, rpcOptions, run } from './rpc-options.js'
import { outputWidth } from './table.js'

interface FilesFlags extends RpcFlags {
  datadir?: string
  json?: boolean
}

interface GetFlags extends FilesFlags {
  output?: string
}

/** Importing, gc and writing a download out take as long as the bytes do. */
const LONG_CALL_TIMEOUT_MS = 30 * 60 * 1000
/** How often `get` asks the node how its download stands. */
export const GET_POLL_MS = 250

export function registerFilesCommands(program: Command): void {
  const files = program
    .command('files')
    .description('files shared in pieces over the network (IPFS-compatible): add, get, ls, pin, unpin, gc, stat')
  exitOnUsageError(files)
  command(files, 'add', 'import a file or directory on the node into its store, pin it and announce it')
    .argument('<path>', "the file or directory (on the node's machine)")
    .action(run(add))
  command(files, 'get', 'download a CID from the peers that hold it and save it')
    .argument('<cid>', 'the root CID')
    .option('-o, --output <path>', 'where the node saves it (default ./<CID>; must not exist)')
    .action(run(get))
  command(files, 'ls', 'the files the node keeps: added, downloaded or pinned').action(run(list))
  command(files, 'pin', 'keep a CID through gc')
    .argument('<cid>', 'the root CID')
    .action(run(pin('files_pin')))
  command(files, 'unpin', 'let gc remove a CID')
    .argument('<cid>', 'the root CID')
    .action(run(pin('files_unpin')))
  command(files, 'gc', 'remove every block no pinned root needs').action(run(gc))
  command(files, 'stat', 'what the node holds of a CID: size, blocks, complete')
    .argument('<cid>', 'the root CID')
    .action(run(stat))
}

function command(parent: Command, name: string, description: string): Command {
  const cmd = parent.command(name).description(description)
  exitOnUsageError(cmd)
  return rpcOptions(
    cmd
      .option('--datadir <dir>', "the node's data directory (its API token is read from there)")
      .option('--json', 'print JSON (get: one line per progress report, then the result)'),
  )
}

async function add(path: string, flags: FilesFlags): Promise<void> {
  const client = await connect(flags, { timeoutMs: LONG_CALL_TIMEOUT_MS })
  const added = (await client.call('files_add', { path: resolve(path) })) as FileAddedJson
  console.log(flags.json ? JSON.stringify(added) : renderAdded(added))
}

async function get(cid: string, flags: GetFlags): Promise<void> {
  const client = await connect(flags, { timeoutMs: LONG_CALL_TIMEOUT_MS })
  const bar = !flags.json && process.stderr.isTTY ? new LineBar(process.stderr as BarStream) : undefined
  let status = (await client.call('files_get', { cid })) as FileDownloadJson
  for (;;) {
    if (flags.json) console.log(JSON.stringify({ type: 'progress', ...status }))
    else bar?.draw(renderDownloadLine(status))
    if (status.state !== 'running') break
    await new Promise((done) => setTimeout(done, GET_POLL_MS))
    // files_progress only reads: a download that failed is reported, not started again.
    status = ((await client.call('files_progress', { cid })) as FileDownloadJson | null) ?? status
  }
  bar?.clear()
  if (status.state === 'failed') {
    if (flags.json) console.log(JSON.stringify({ type: 'failed', ...status }))
    throw new Error(renderDownloadEnd(status))
  }
  const out = (await client.call('files_export', { cid, path: resolve(flags.output ?? cid) })) as FileExportJson
  if (flags.json) console.log(JSON.stringify({ type: 'saved', ...out, download: status }))
  else console.log(`${renderDownloadEnd(status)}\n${renderExported(out)}`)
}

async function list(flags: FilesFlags): Promise<void> {
  const roots = (await (await connect(flags)).call('files_list')) as FileRootJson[]
  console.log(flags.json ? JSON.stringify(roots) : renderRoots(roots, { maxWidth: outputWidth() }))
}

function pin(method: 'files_pin' | 'files_unpin') {
  return async (cid: string, flags: FilesFlags): Promise<void> => {
    const root = (await (await connect(flags)).call(method, { cid })) as FileRootJson
    console.log(flags.json ? JSON.stringify(root) : `${root.pinned ? 'pinned' : 'unpinned'} ${root.cid}`)
  }
}

async function gc(flags: FilesFlags): Promise<void> {
  const result = (await (await connect(flags, { timeoutMs: LONG_CALL_TIMEOUT_MS })).call('files_gc')) as FileGcJson
  console.log(flags.json ? JSON.stringify(result) : renderGc(result))
}

async function stat(cid: string, flags: FilesFlags): Promise<void> {
  const result = (await (
    await connect(flags, { timeoutMs: LONG_CALL_TIMEOUT_MS })
  ).call('files_stat', { cid })) as FileStatJson
  console.log(flags.json ? JSON.stringify(result) : renderStat(result))
}
