/**
 * The file service the node holds: add (import into the block store and
 * index the root, pinned), get (a download through the injected DagFetcher,
 * started or joined), stat, list, pins, pin/unpin, gc (removes every block
 * no pinned root or running download reaches) and export (the DAG written
 * out to a path). The API and CLI call it; it owns no network code.
 *
 * Adds and gc run one at a time (a gc must not sweep the blocks of an
 * import whose root is not indexed yet), and gc refuses while a download
 * runs (BUSY).
 */
import type { CID } from 'multiformats/cid'
import type { Clock } from '../util/clock.js'
import { parseCid } from './block.js'
import type { FileBlockstore } from './blockstore.js'
import { type DagWalk, walkDag } from './dag-walk.js'
import { DownloadTracker } from './downloads.js'
import { FilesError } from './errors.js'
import { exportDag } from './export.js'
import type { DagFetcher, FetchStore } from './fetcher.js'
import { type Imported, importBytes, importPath } from './import.js'
import type { FileAddedJson, FileDownloadJson, FileExportJson, FileGcJson, FileRootJson, FileStatJson } from './json.js'
import { UPLOAD_BYTES_MAX } from './limits.js'
import { rootSizeBytes } from './root-size.js'
import type { RootEntry, RootsIndex } from './roots-index.js'

export interface FilesServiceDeps {
  blockstore: FileBlockstore
  index: RootsIndex
  clock: Clock
  /** The downloader (the exchange); without one `get` fails with DOWNLOAD_FAILED. */
  fetcher?: DagFetcher
  /** Called with each root the node comes to hold whole (added, or downloaded): where the node announces it provides it. */
  onRootHeld?: (cid: CID) => void
}

/** Store keys deleted per LevelDB batch by gc. */
const GC_DELETE_BATCH = 1024

export class FilesService {
  private readonly downloads: DownloadTracker
  /** Adds and gc, one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: FilesServiceDeps) {
    this.downloads = new DownloadTracker(deps.clock)
  }

  /** The store as the fetcher sees it: blocks verified on put, NOT_FOUND as undefined. */
  get fetchStore(): FetchStore {
    const { blockstore } = this.deps
    return {
      has: (cid) => blockstore.has(cid),
      get: async (cid) => {
        try {
          return await blockstore.getBytes(cid)
        } catch (err) {
          if (err instanceof FilesError && err.code === 'NOT_FOUND') return undefined
          throw err
        }
      },
      put: async (cid, bytes) => {
        await blockstore.put(cid, bytes)
      },
    }
  }

  /** Imports the file or directory at `path` (absolute, on the node's machine) and pins it. */
  add(path: string): Promise<FileAddedJson> {
    return this.exclusively(async () => this.indexImported(await importPath(path, this.deps.blockstore)))
  }

  /** Imports `bytes` (at most UPLOAD_BYTES_MAX) as one file named `name`, and pins it. */
  async addBytes(bytes: Uint8Array, name: string): Promise<FileAddedJson> {
    if (bytes.byteLength > UPLOAD_BYTES_MAX) {
      throw new FilesError(
        'TOO_LARGE',
        `an upload is at most ${UPLOAD_BYTES_MAX} bytes: add a path on the node instead`,
      )
    }
    return this.exclusively(async () => this.indexImported(await importBytes(bytes, this.deps.blockstore, name)))
  }

  /**
   * Starts (or joins) the download of `cidText`; resolves with its state at
   * once. The root is indexed and pinned at the start, so an interrupted
   * download keeps its blocks for the next one to resume from.
   */
  async get(cidText: string): Promise<FileDownloadJson> {
    const cid = parseCid(cidText)
    const joined = this.downloads.status(cid)
    if (joined?.state === 'running') return joined
    const { fetcher } = this.deps
    if (!fetcher) throw new FilesError('DOWNLOAD_FAILED', 'this node has no downloader')
    const entry = this.deps.index.get(cid)
    await this.deps.index.put({
      cid,
      name: entry?.name ?? cid.toString(),
      sizeBytes: entry?.sizeBytes ?? 0,
      addedAtMs: entry?.addedAtMs ?? this.deps.clock.nowMs(),
      pinned: true,
      source: entry?.source ?? 'downloaded',
    })
    return this.downloads.start(
      cid,
      (onProgress, signal) => fetcher.fetch(cid, { store: this.fetchStore, onProgress, signal }),
      async (ok) => {
        if (!ok) return
        const walk = await this.walk(cid)
        if (!walk.complete) throw new FilesError('INCOMPLETE', `the fetcher finished but ${cid} is not complete`)
        const indexed = this.deps.index.get(cid)
        if (indexed) await this.deps.index.put({ ...indexed, sizeBytes: (await this.sizeOf(cid, walk, indexed)) ?? 0 })
        this.deps.onRootHeld?.(cid)
      },
    )
  }

  /** The download of `cidText`, running or finished; undefined when none is known. */
  download(cidText: string): FileDownloadJson | undefined {
    return this.downloads.status(parseCid(cidText))
  }

  /** Resolves once the download of `cidText` has ended, with how it ended; undefined when none is known. */
  downloadSettled(cidText: string): Promise<FileDownloadJson | undefined> {
    return this.downloads.settled(parseCid(cidText))
  }

  async stat(cidText: string): Promise<FileStatJson> {
    const cid = parseCid(cidText)
    const walk = await this.walk(cid)
    const entry = this.deps.index.get(cid)
    return {
      cid: cid.toString(),
      sizeBytes: await this.sizeOf(cid, walk, entry),
      blocks: walk.blocks,
      blocksHeld: walk.blocksHeld,
      bytesHeld: walk.bytesHeld,
      complete: walk.complete,
      pinned: entry?.pinned ?? false,
      indexed: entry !== undefined,
      name: entry?.name ?? null,
    }
  }

  /** Every root the node keeps, newest first. */
  list(): FileRootJson[] {
    return this.deps.index.list().map(rootJson)
  }

  pins(): FileRootJson[] {
    return this.deps.index.pinned().map(rootJson)
  }

  /** Pins `cidText` (indexing it if new): gc keeps its blocks, held now or fetched later. */
  async pin(cidText: string): Promise<FileRootJson> {
    const cid = parseCid(cidText)
    const entry = this.deps.index.get(cid)
    const pinned = await this.deps.index.put(
      entry
        ? { ...entry, pinned: true }
        : {
            cid,
            name: cid.toString(),
            sizeBytes: 0,
            addedAtMs: this.deps.clock.nowMs(),
            pinned: true,
            source: 'downloaded',
          },
    )
    return rootJson(pinned)
  }

  /** Unpins `cidText` (NOT_PINNED if it is not): the next gc removes its blocks and its index entry. */
  async unpin(cidText: string): Promise<FileRootJson> {
    const cid = parseCid(cidText)
    const entry = this.deps.index.get(cid)
    if (!entry?.pinned) throw new FilesError('NOT_PINNED', `${cid} is not pinned`)
    return rootJson(await this.deps.index.put({ ...entry, pinned: false }))
  }

  /** Removes every block that no pinned root reaches, and the unpinned roots from the index. */
  gc(): Promise<FileGcJson> {
    return this.exclusively(async () => {
      if (this.downloads.running > 0) {
        throw new FilesError('BUSY', 'a download is running: gc waits until none is')
      }
      const keep = new Set<string>()
      for (const entry of this.deps.index.pinned()) {
        for (const key of (await this.walk(entry.cid)).heldKeys) keep.add(key)
      }
      const result: FileGcJson = { blocksRemoved: 0, bytesRemoved: 0, blocksKept: 0, rootsRemoved: 0 }
      let batch: string[] = []
      for await (const key of this.deps.blockstore.keys()) {
        if (keep.has(key)) {
          result.blocksKept++
          continue
        }
        batch.push(key)
        if (batch.length >= GC_DELETE_BATCH) {
          result.bytesRemoved += await this.deps.blockstore.deleteKeys(batch)
          result.blocksRemoved += batch.length
          batch = []
        }
      }
      result.bytesRemoved += await this.deps.blockstore.deleteKeys(batch)
      result.blocksRemoved += batch.length
      for (const entry of this.deps.index.list()) {
        if (entry.pinned) continue
        await this.deps.index.delete(entry.cid)
        result.rootsRemoved++
      }
      return result
    })
  }

  /** Writes the DAG of `cidText` out to `path` (absolute, must not exist); INCOMPLETE unless every block is held. */
  async export(cidText: string, path: string): Promise<FileExportJson> {
    const cid = parseCid(cidText)
    const walk = await this.walk(cid)
    if (!walk.complete) {
      throw new FilesError(
        'INCOMPLETE',
        `the node holds ${walk.blocksHeld} of the ${walk.blocks} blocks of ${cid} known so far: get it first`,
      )
    }
    const out = await exportDag(cid, this.deps.blockstore, path)
    return { cid: cid.toString(), ...out }
  }

  /** The roots the node holds whole and keeps (pinned): what it provides to others. */
  async *heldRoots(): AsyncGenerator<CID> {
    for (const entry of this.deps.index.pinned()) if ((await this.walk(entry.cid)).complete) yield entry.cid
  }

  /** Stops the downloads; the caller closes the stores. */
  async stop(): Promise<void> {
    await this.downloads.stop()
    await this.exclusive.catch(() => undefined)
  }

  private walk(cid: CID): Promise<DagWalk> {
    return walkDag(cid, (c) => this.fetchStore.get(c))
  }

  private async sizeOf(cid: CID, walk: DagWalk, entry: RootEntry | undefined): Promise<number | null> {
    const fromRoot = await rootSizeBytes(cid, (c) => this.fetchStore.get(c))
    if (fromRoot !== undefined) return fromRoot
    if (entry && entry.sizeBytes > 0) return entry.sizeBytes
    return walk.complete ? walk.rawBytesHeld : null
  }

  private async indexImported(imported: Imported): Promise<FileAddedJson> {
    const entry = await this.deps.index.put({
      cid: imported.cid,
      name: imported.name,
      sizeBytes: imported.sizeBytes,
      addedAtMs: this.deps.clock.nowMs(),
      pinned: true,
      source: 'added',
    })
    this.deps.onRootHeld?.(entry.cid)
    return { ...rootJson(entry), kind: imported.kind }
  }

  private exclusively<T>(run: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(run, run)
    this.exclusive = next.catch(() => undefined)
    return next
  }
}

function rootJson(entry: RootEntry): FileRootJson {
  return {
    cid: entry.cid.toString(),
    name: entry.name,
    sizeBytes: entry.sizeBytes,
    addedAtMs: entry.addedAtMs,
    pinned: entry.pinned,
    source: entry.source,
  }
}
