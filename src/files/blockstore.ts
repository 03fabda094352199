/**
 * The node's block store: LevelDB in the data directory (`blockstore-level`),
 * behind the `interface-blockstore` Blockstore that `ipfs-unixfs-importer`,
 * `ipfs-unixfs-exporter` and `@helia/bitswap` take, so they use it directly.
 *
 * A block is stored only after its bytes are verified against its CID
 * (block.ts): a store never holds a block that is not what its CID says.
 * Writes are LevelDB writes (one block, or one batch of blocks, all or
 * nothing), so a write that fails — a full disk included — leaves the store
 * as it was. Before writing, the free space of the disk is checked every
 * DISK_CHECK_EVERY_BYTES, and writes stop with DISK_FULL below
 * DISK_FREE_BYTES_MIN, before LevelDB itself runs out of room.
 */
import { statfs } from 'node:fs/promises'
import type { AbortOptions } from 'abort-error'
import { LevelBlockstore } from 'blockstore-level'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import { base32upper } from 'multiformats/bases/base32'
import type { CID } from 'multiformats/cid'
import { verifyBlock } from './block.js'
import { FilesError } from './errors.js'
import { BLOCK_BYTES_MAX, DISK_CHECK_EVERY_BYTES, DISK_FREE_BYTES_MIN, PUT_BATCH_BLOCKS_MAX } from './limits.js'

type BlockBytes = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

export interface FileBlockstoreOptions {
  /** Free bytes on the store's disk; default: `statfs` of its directory. Tests pass a fake. */
  diskFreeBytes?: () => Promise<number>
  /** The floor of free space below which writes stop (default DISK_FREE_BYTES_MIN). */
  diskFreeBytesMin?: number
}

/** Counts what was written since it was opened (for stats and tests). */
export interface BlockstoreCounters {
  blocksWritten: number
  bytesWritten: number
}

export class FileBlockstore implements Blockstore {
  readonly counters: BlockstoreCounters = { blocksWritten: 0, bytesWritten: 0 }
  private bytesSinceDiskCheck = Number.POSITIVE_INFINITY
  private readonly diskFreeBytes: () => Promise<number>
  private readonly diskFreeBytesMin: number

  private constructor(
    private readonly inner: LevelBlockstore,
    path: string,
    options: FileBlockstoreOptions,
  ) {
    this.diskFreeBytes = options.diskFreeBytes ?? (() => freeBytesAt(path))
    this.diskFreeBytesMin = options.diskFreeBytesMin ?? DISK_FREE_BYTES_MIN
  }

  /** Opens (creating) the LevelDB store at `path`. */
  static async open(path: string, options: FileBlockstoreOptions = {}): Promise<FileBlockstore> {
    // No compression: chunks of files are mostly compressed media already (as go-ipfs's default).
    const inner = new LevelBlockstore(path, { compression: false })
    await inner.open()
    return new FileBlockstore(inner, path, options)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  async put(cid: CID, value: BlockBytes, options?: AbortOptions): Promise<CID> {
    const bytes = await collectBlock(cid, value)
    verifyBlock(cid, bytes)
    if (await this.inner.has(cid, options)) return cid
    await this.beforeWrite(bytes.byteLength)
    try {
      await this.inner.db.put(blockKey(cid), bytes)
    } catch (err) {
      throw writeFailure(err)
    }
    this.counted(1, bytes.byteLength)
    return cid
  }

  /** Verifies every block, then writes them in LevelDB batches of PUT_BATCH_BLOCKS_MAX (each all or nothing). */
  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    let batch: Array<{ cid: CID; bytes: Uint8Array }> = []
    for await (const { cid, bytes: value } of source) {
      options?.signal?.throwIfAborted()
      const bytes = await collectBlock(cid, value)
      verifyBlock(cid, bytes)
      batch.push({ cid, bytes })
      if (batch.length >= PUT_BATCH_BLOCKS_MAX) {
        yield* await this.writeBatch(batch)
        batch = []
      }
    }
    if (batch.length > 0) yield* await this.writeBatch(batch)
  }

  get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    return this.inner.get(cid, options) as AsyncGenerator<Uint8Array>
  }

  /** The whole block's bytes; FilesError NOT_FOUND when the store does not hold it. */
  async getBytes(cid: CID, options?: AbortOptions): Promise<Uint8Array> {
    const bytes = await this.inner.db.get(blockKey(cid))
    if (bytes === undefined) throw new FilesError('NOT_FOUND', `the store does not hold ${cid}`)
    options?.signal?.throwIfAborted()
    // Level hands back a Buffer: give callers the plain Uint8Array the Blockstore interface promises.
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    return this.inner.getMany(source, options) as AsyncGenerator<Pair>
  }

  getAll(options?: AbortOptions): AsyncGenerator<Pair> {
    return this.inner.getAll(options) as AsyncGenerator<Pair>
  }

  async has(cid: CID, options?: AbortOptions): Promise<boolean> {
    return this.inner.has(cid, options)
  }

  async delete(cid: CID, options?: AbortOptions): Promise<void> {
    await this.inner.delete(cid, options)
  }

  deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<CID> {
    return this.inner.deleteMany(source, options) as AsyncGenerator<CID>
  }

  /** Every stored block's multihash (as its store key), without the bytes: for gc and `ls`. */
  async *keys(): AsyncGenerator<string> {
    for await (const key of this.inner.db.keys()) yield key
  }

  /** Deletes the blocks of the given store keys in one batch; resolves with the bytes they held. */
  async deleteKeys(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0
    const values = await this.inner.db.getMany(keys)
    await this.inner.db.batch(keys.map((key) => ({ type: 'del' as const, key })))
    return values.reduce((sum, v) => sum + (v?.byteLength ?? 0), 0)
  }

  private async writeBatch(batch: Array<{ cid: CID; bytes: Uint8Array }>): Promise<CID[]> {
    const bytes = batch.reduce((sum, b) => sum + b.bytes.byteLength, 0)
    await this.beforeWrite(bytes)
    const chained = this.inner.db.batch()
    for (const block of batch) chained.put(blockKey(block.cid), block.bytes)
    try {
      await chained.write()
    } catch (err) {
      throw writeFailure(err)
    }
    this.counted(batch.length, bytes)
    return batch.map((b) => b.cid)
  }

  private async beforeWrite(bytes: number): Promise<void> {
    if (this.bytesSinceDiskCheck >= DISK_CHECK_EVERY_BYTES) {
      const free = await this.diskFreeBytes()
      if (free - bytes < this.diskFreeBytesMin) {
        throw new FilesError(
          'DISK_FULL',
          `the disk has ${free} bytes free: the file store stops writing below ${this.diskFreeBytesMin}`,
        )
      }
      this.bytesSinceDiskCheck = 0
    }
    this.bytesSinceDiskCheck += bytes
  }

  private counted(blocks: number, bytes: number): void {
    this.counters.blocksWritten += blocks
    this.counters.bytesWritten += bytes
  }
}

/**
 * The LevelDB key of a block: blockstore-level's own ("/" + the multihash in
 * base32upper), so blocks written in our batches are the ones it reads (a
 * unit test holds the two to each other).
 */
export function blockKey(cid: CID): string {
  return `/${base32upper.encoder.encode(cid.multihash.bytes)}`
}

/** A block's bytes from any of the forms the Blockstore interface allows, refused past BLOCK_BYTES_MAX. */
async function collectBlock(cid: CID, value: BlockBytes): Promise<Uint8Array> {
  if (value instanceof Uint8Array) return value
  const parts: Uint8Array[] = []
  let length = 0
  for await (const part of value) {
    length += part.byteLength
    if (length > BLOCK_BYTES_MAX) {
      throw new FilesError('BLOCK_TOO_LARGE', `${cid} is over ${BLOCK_BYTES_MAX} bytes: blocks are at most that`)
    }
    parts.push(part)
  }
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.byteLength
  }
  return bytes
}

/** A LevelDB write error as a FilesError: DISK_FULL when the OS ran out of room, WRITE_FAILED otherwise. */
export function writeFailure(err: unknown): FilesError {
  const text = String((err as { cause?: unknown })?.cause ?? err)
  if (/ENOSPC|no space left/i.test(text) || /ENOSPC|no space left/i.test(String(err))) {
    return new FilesError('DISK_FULL', `the disk is full: the block store refused the write (${text})`)
  }
  return new FilesError('WRITE_FAILED', `the block store could not write (${text})`)
}

async function freeBytesAt(path: string): Promise<number> {
  const stats = await statfs(path)
  return stats.bavail * stats.bsize
}
