/**
 * Export: writes a file or directory the store holds out to a path with
 * `ipfs-unixfs-exporter`. The target must not exist (nothing is
 * overwritten); every name in the DAG must be a plain file name (no "/",
 * ".", ".." or NUL), so a DAG cannot write outside the target. The caller
 * walks the DAG first (complete, within limits).
 */
import { createWriteStream } from 'node:fs'
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { exporter, type ReadableStorage, recursive, type UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'
import { FilesError } from './errors.js'

export interface Exported {
  path: string
  files: number
  bytes: number
}

export async function exportDag(root: CID, store: ReadableStorage, target: string): Promise<Exported> {
  const entry = await exporter(root, store)
  const out: Exported = { path: target, files: 0, bytes: 0 }
  if (entry.type !== 'directory') {
    await writeEntry(entry, target, out)
    return out
  }
  for await (const child of recursive(root, store)) {
    // Each entry's path is "<root CID>/a/b": the first part is the root itself, written at `target`.
    const parts = child.path.split('/').slice(1)
    for (const part of parts) checkName(part, child.path)
    await writeEntry(await exporter(child.cid, store), join(target, ...parts), out)
  }
  return out
}

async function writeEntry(entry: UnixFSEntry, path: string, out: Exported): Promise<void> {
  try {
    const link = symlinkTarget(entry)
    if (link !== undefined) {
      await symlink(link, path)
      return
    }
    switch (entry.type) {
      case 'directory':
        await mkdir(path, { recursive: false })
        return
      case 'file':
      case 'raw':
      case 'identity': {
        const counted = (async function* () {
          for await (const chunk of entry.content()) {
            out.bytes += chunk.byteLength
            yield chunk
          }
        })()
        await pipeline(counted, createWriteStream(path, { flags: 'wx' }))
        out.files++
        return
      }
      default:
        throw new FilesError('BAD_PATH', `${entry.path} is not a UnixFS file or directory`)
    }
  } catch (err) {
    if (err instanceof FilesError) throw err
    throw new FilesError('BAD_PATH', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}

/** A UnixFS symlink's target (the exporter gives it as a 'file' without content); undefined for anything else. */
function symlinkTarget(entry: UnixFSEntry): string | undefined {
  const unixfs = (entry as { unixfs?: { type: string; data?: Uint8Array } }).unixfs
  if (unixfs?.type !== 'symlink' || unixfs.data === undefined) return undefined
  return new TextDecoder().decode(unixfs.data)
}

function checkName(name: string, path: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('\0') || name.includes('\\')) {
    throw new FilesError('BAD_PATH', `the DAG names an entry "${path}": names must be plain file names`)
  }
}
