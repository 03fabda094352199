/**
 * Import: a file or a directory on disk, or bytes, into the block store as a
 * UnixFS DAG with `ipfs-unixfs-importer`. The layout is spelled out here
 * (IMPORT_OPTIONS), not left to the importer's defaults: CIDv1, raw leaves,
 * fixed-size 256 KiB chunks, a balanced tree of 1,024 links per node,
 * directories sharded past 256 KiB of links. The same bytes with these
 * options give the same CID in Helia's `@helia/unixfs` (a unit test checks).
 *
 * A directory is read in name order; its symlinks are imported as UnixFS
 * symlinks; any other special file is refused (BAD_PATH).
 */
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  type DirectoryCandidate,
  type FileCandidate,
  type ImporterOptions,
  type ImportResult,
  importer,
  type SymlinkCandidate,
  type WritableStorage,
} from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'
import { FilesError } from './errors.js'
import { DIR_SHARD_SPLIT_BYTES, FILE_CHUNK_BYTES, FILE_LINKS_PER_NODE, IMPORT_ENTRIES_MAX } from './limits.js'

/** The importer's options, every one that shapes the CID written out. */
export function importOptions(): ImporterOptions {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: FILE_CHUNK_BYTES }),
    layout: balanced({ maxChildrenPerNode: FILE_LINKS_PER_NODE }),
    shardSplitThresholdBytes: DIR_SHARD_SPLIT_BYTES,
    shardSplitStrategy: 'links-bytes',
    fieldOrder: 'links-first',
    wrapWithDirectory: false,
  }
}

export interface Imported {
  cid: CID
  /** The file's or directory's name (the last part of the path). */
  name: string
  /** Bytes of file content imported (all files of a directory together). */
  sizeBytes: number
  kind: 'file' | 'directory'
}

type Candidate = FileCandidate | DirectoryCandidate | SymlinkCandidate

/** Imports bytes as one file. */
export async function importBytes(bytes: Uint8Array, store: WritableStorage, name: string): Promise<Imported> {
  const root = await lastResult(importer([{ content: bytes }], store, importOptions()))
  return { cid: root.cid, name, sizeBytes: bytes.byteLength, kind: 'file' }
}

/** Imports the file or directory at `path` (absolute); BAD_PATH when it cannot be read or is a special file. */
export async function importPath(path: string, store: WritableStorage): Promise<Imported> {
  const stats = await lstatOrFail(path)
  const name = basename(path)
  if (stats.isFile()) {
    const root = await lastResult(importer([{ content: fileContent(path) }], store, importOptions()))
    return { cid: root.cid, name, sizeBytes: stats.size, kind: 'file' }
  }
  if (!stats.isDirectory()) throw new FilesError('BAD_PATH', `${path} is neither a file nor a directory`)
  const totals = { entries: 0, bytes: 0 }
  let root: ImportResult | undefined
  for await (const result of importer(directoryCandidates(path, name, totals), store, importOptions())) {
    if (result.path === name) root = result
  }
  if (!root) throw new FilesError('BAD_PATH', `${path}: the importer returned no root for the directory`)
  return { cid: root.cid, name, sizeBytes: totals.bytes, kind: 'directory' }
}

/** The directory `dir` as importer candidates "name/…", depth first in name order, the directories themselves included. */
async function* directoryCandidates(
  dir: string,
  prefix: string,
  totals: { entries: number; bytes: number },
): AsyncGenerator<Candidate> {
  yield { path: prefix }
  const names = (await readdirOrFail(dir)).sort()
  for (const entryName of names) {
    if (++totals.entries > IMPORT_ENTRIES_MAX) {
      throw new FilesError('TOO_MANY_ENTRIES', `a directory import may hold at most ${IMPORT_ENTRIES_MAX} entries`)
    }
    const path = join(dir, entryName)
    const entryPath = `${prefix}/${entryName}`
    const stats = await lstatOrFail(path)
    if (stats.isDirectory()) {
      yield* directoryCandidates(path, entryPath, totals)
    } else if (stats.isFile()) {
      totals.bytes += stats.size
      yield { path: entryPath, content: fileContent(path) }
    } else if (stats.isSymbolicLink()) {
      yield { path: entryPath, link: await readlink(path) }
    } else {
      throw new FilesError('BAD_PATH', `${path} is a special file (not a file, directory or symlink)`)
    }
  }
}

function fileContent(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES })
}

async function lastResult(results: AsyncIterable<ImportResult>): Promise<ImportResult> {
  let last: ImportResult | undefined
  for await (const result of results) last = result
  if (!last) throw new FilesError('BAD_PATH', 'the importer returned nothing')
  return last
}

async function lstatOrFail(path: string) {
  try {
    return await lstat(path)
  } catch (err) {
    throw new FilesError('BAD_PATH', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}

async function readdirOrFail(path: string): Promise<string[]> {
  try {
    return await readdir(path)
  } catch (err) {
    throw new FilesError('BAD_PATH', `cannot list ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}
