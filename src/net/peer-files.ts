/**
 * The peer manager's files in the data directory, written whole and
 * atomically (json-file.ts):
 *
 * - `addrman.json`: the address manager with its bucket secret. A node's
 *   first start creates the secret and writes the file at once, so buckets
 *   stay where they are across restarts (and crashes). It is saved every
 *   ADDRMAN_SAVE_INTERVAL_MS and at stop. A file that is not an address
 *   manager refuses the start with a typed error, as bans.json does; bad
 *   entries in a good file are skipped and logged.
 * - `anchors.json`: the block-relay peers at the last stop, read and
 *   deleted at start (Bitcoin Core's anchors.dat): a crash before the next
 *   clean stop leaves no stale anchors behind. An unreadable anchors file
 *   costs only the anchors, so it is logged and ignored.
 */
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AddrMan, type AddrManDeps } from '../peers/addrman.js'
import { ADDRMAN_FILE, ADDRMAN_FILE_BYTES_MAX, type AddrManFile } from '../peers/addrman-file.js'
import {
  ANCHORS_FILE,
  type AnchorsFile,
  AnchorsFileError,
  anchorsDocument,
  parseAnchorsFile,
} from '../peers/anchors.js'
import type { PeerAddress } from '../peers/types.js'
import { JsonFile, JsonFileError } from './json-file.js'
import type { NetworkLog } from './options.js'

/** The address manager is written this often while running (Bitcoin Core: every 15 min), and at stop. */
export const ADDRMAN_SAVE_INTERVAL_MS = 10 * 60_000

export class PeerFiles {
  private readonly addrmanFile: JsonFile<AddrManFile>
  private readonly anchorsFile: JsonFile<AnchorsFile>

  /** Without a data directory nothing is read or written (ephemeral nodes, tests). */
  constructor(
    dataDir: string | undefined,
    private readonly log: NetworkLog,
  ) {
    const path = (name: string): string | undefined => (dataDir === undefined ? undefined : join(dataDir, name))
    this.addrmanFile = new JsonFile(path(ADDRMAN_FILE), ADDRMAN_FILE_BYTES_MAX)
    this.anchorsFile = new JsonFile(path(ANCHORS_FILE))
  }

  /**
   * The saved address manager, or a new one with a fresh secret (written at
   * once). Throws JsonFileError (not JSON, too large) or AddrManFileError
   * (not an address manager).
   */
  async loadAddrMan(deps: Omit<AddrManDeps, 'key'>): Promise<AddrMan> {
    const doc = await this.addrmanFile.load()
    if (doc === undefined) {
      const addrman = new AddrMan({ ...deps, key: randomBytes(32) })
      await this.saveAddrMan(addrman)
      return addrman
    }
    const { addrman, skipped } = AddrMan.fromFile(doc, deps, this.addrmanFile.path ?? ADDRMAN_FILE)
    if (skipped > 0) this.log('net: skipped address manager entries', { skipped })
    return addrman
  }

  async saveAddrMan(addrman: AddrMan): Promise<void> {
    await this.addrmanFile.save(addrman.toFile())
  }

  /** The anchors of the last stop; the file is deleted once read. */
  async takeAnchors(): Promise<PeerAddress[]> {
    const path = this.anchorsFile.path
    if (path === undefined) return []
    let anchors: PeerAddress[] = []
    try {
      const doc = await this.anchorsFile.load()
      if (doc !== undefined) anchors = parseAnchorsFile(doc, path)
    } catch (err) {
      if (!(err instanceof JsonFileError) && !(err instanceof AnchorsFileError)) throw err
      this.log('net: ignoring an unreadable anchors file', { err: err.message })
    }
    await rm(path, { force: true })
    return anchors
  }

  async saveAnchors(anchors: PeerAddress[]): Promise<void> {
    await this.anchorsFile.save(anchorsDocument(anchors))
  }

  /** Resolves once every write started so far has finished. */
  async flushed(): Promise<void> {
    await Promise.all([this.addrmanFile.flushed(), this.anchorsFile.flushed()])
  }
}
