/**
 * The downloads the node runs or ran: one per root (a second `get` of the
 * same root joins the first), at most DOWNLOADS_RUNNING_MAX running, and the
 * last DOWNLOADS_KEPT_MAX finished ones remembered so a caller polling
 * `files_get` sees how each ended. Rate and ETA are measured on the injected
 * clock from the bytes the fetcher reports.
 */
import type { CID } from 'multiformats/cid'
import type { Clock } from '../util/clock.js'
import { FilesError } from './errors.js'
import type { FetchProgress } from './fetcher.js'
import type { FileDownloadJson } from './json.js'
import { DOWNLOADS_KEPT_MAX, DOWNLOADS_RUNNING_MAX } from './limits.js'

interface Download {
  cid: CID
  state: FileDownloadJson['state']
  progress: FetchProgress
  startedAtMs: number
  finishedAtMs?: number
  error?: { code: string; message: string }
  abort: AbortController
  done: Promise<void>
}

export class DownloadTracker {
  private readonly downloads = new Map<string, Download>()

  constructor(private readonly clock: Clock) {}

  get running(): number {
    let n = 0
    for (const d of this.downloads.values()) if (d.state === 'running') n++
    return n
  }

  /** The download of `cid`, if one runs or is remembered. */
  status(cid: CID): FileDownloadJson | undefined {
    const download = this.downloads.get(cid.toV1().toString())
    return download && this.json(download)
  }

  /** Resolves once the download of `cid` has ended (at once when it is not running). */
  async settled(cid: CID): Promise<FileDownloadJson | undefined> {
    const download = this.downloads.get(cid.toV1().toString())
    if (!download) return undefined
    await download.done
    return this.json(download)
  }

  /** The running downloads' roots (gc keeps their blocks). */
  runningRoots(): CID[] {
    return [...this.downloads.values()].filter((d) => d.state === 'running').map((d) => d.cid)
  }

  /**
   * Starts `run` for `cid` unless it runs already (then joins it); BUSY past
   * DOWNLOADS_RUNNING_MAX. `run` reports progress through the callback it is given.
   */
  start(
    cid: CID,
    run: (onProgress: (p: FetchProgress) => void, signal: AbortSignal) => Promise<void>,
    onFinished: (ok: boolean) => Promise<void>,
  ): FileDownloadJson {
    const key = cid.toV1().toString()
    const existing = this.downloads.get(key)
    if (existing?.state === 'running') return this.json(existing)
    if (this.running >= DOWNLOADS_RUNNING_MAX) {
      throw new FilesError('BUSY', `${DOWNLOADS_RUNNING_MAX} downloads are running: wait for one to finish`)
    }
    this.downloads.delete(key)
    const abort = new AbortController()
    const download: Download = {
      cid,
      state: 'running',
      progress: { blocksDone: 0, blocksKnown: 1, bytesDone: 0, bytesFetched: 0, providers: 0 },
      startedAtMs: this.clock.nowMs(),
      abort,
      done: Promise.resolve(),
    }
    this.downloads.set(key, download)
    download.done = run((progress) => {
      download.progress = progress
    }, abort.signal).then(
      () => this.finish(download, undefined, onFinished),
      (err: unknown) => this.finish(download, err, onFinished),
    )
    this.forgetOldest()
    return this.json(download)
  }

  /** Aborts every running download and waits for them to end. */
  async stop(): Promise<void> {
    const running = [...this.downloads.values()].filter((d) => d.state === 'running')
    for (const d of running) d.abort.abort(new FilesError('DOWNLOAD_FAILED', 'the node is stopping'))
    await Promise.all(running.map((d) => d.done))
  }

  private async finish(download: Download, err: unknown, onFinished: (ok: boolean) => Promise<void>): Promise<void> {
    download.finishedAtMs = this.clock.nowMs()
    if (err === undefined) {
      download.state = 'done'
    } else {
      download.state = 'failed'
      download.error =
        err instanceof FilesError
          ? { code: err.code, message: err.message }
          : {
              code: (err as { code?: string })?.code ?? 'DOWNLOAD_FAILED',
              message: String((err as Error)?.message ?? err),
            }
    }
    try {
      await onFinished(err === undefined)
    } catch (finishErr) {
      download.state = 'failed'
      download.error = { code: 'DOWNLOAD_FAILED', message: String(finishErr) }
    }
  }

  /** Forgets the oldest finished downloads past DOWNLOADS_KEPT_MAX. */
  private forgetOldest(): void {
    const finished = [...this.downloads.values()]
      .filter((d) => d.state !== 'running')
      .sort((a, b) => (a.finishedAtMs ?? 0) - (b.finishedAtMs ?? 0))
    for (let i = 0; i < finished.length - DOWNLOADS_KEPT_MAX; i++) {
      this.downloads.delete((finished[i] as Download).cid.toV1().toString())
    }
  }

  private json(d: Download): FileDownloadJson {
    const { progress } = d
    const endMs = d.finishedAtMs ?? this.clock.nowMs()
    const seconds = (endMs - d.startedAtMs) / 1000
    // Resumed bytes (held before this download) are not counted: they took no time.
    const bytesPerSecond = seconds > 0 ? progress.bytesFetched / seconds : 0
    const left = progress.bytesTotal === undefined ? undefined : Math.max(0, progress.bytesTotal - progress.bytesDone)
    const etaSeconds =
      d.state === 'done' ? 0 : left !== undefined && bytesPerSecond > 0 ? Math.ceil(left / bytesPerSecond) : null
    return {
      cid: d.cid.toString(),
      state: d.state,
      blocksDone: progress.blocksDone,
      blocksKnown: progress.blocksKnown,
      bytesDone: progress.bytesDone,
      bytesTotal: progress.bytesTotal ?? null,
      providers: progress.providers,
      bytesPerSecond: Math.round(bytesPerSecond),
      etaSeconds,
      startedAtMs: d.startedAtMs,
      ...(d.error ? { error: d.error } : {}),
    }
  }
}
