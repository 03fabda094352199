/**
 * How the `files` commands show their answers to people: the download
 * progress line (bar, bytes, rate, providers, ETA), the roots table, a
 * DAG's stat, gc's summary. Pure functions over the API's JSON; `--json`
 * output never goes through them.
 */
import type {
  FileAddedJson,
  FileDownloadJson,
  FileExportJson,
  FileGcJson,
  FileRootJson,
  FileStatJson,
} from '../files/json.js'
import { formatBytes, formatCount, formatEta, formatPercent, formatTime } from './format.js'
import { renderFields, renderTable } from './table.js'

const BAR_CELLS = 24

/** "[######------------------] 16.0 MiB/64.0 MiB 25.0% 31.2 MiB/s 4 providers ETA 2s". */
export function renderDownloadLine(d: FileDownloadJson): string {
  const total = d.bytesTotal
  const fraction = total !== null && total > 0 ? Math.min(1, d.bytesDone / total) : d.state === 'done' ? 1 : 0
  const filled = Math.floor(fraction * BAR_CELLS)
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}]`
  const size = total === null ? formatBytes(d.bytesDone) : `${formatBytes(d.bytesDone)}/${formatBytes(total)}`
  const percent = total === null ? '' : ` ${formatPercent(d.bytesDone, total)}`
  const providers = `${d.providers} provider${d.providers === 1 ? '' : 's'}`
  return `${bar} ${size}${percent} ${formatBytes(d.bytesPerSecond)}/s ${providers} ETA ${formatEta(d.etaSeconds)}`
}

/** The last line of a download: how it ended. */
export function renderDownloadEnd(d: FileDownloadJson): string {
  if (d.state === 'failed')
    return `download of ${d.cid} failed: ${d.error?.code ?? 'DOWNLOAD_FAILED'}: ${d.error?.message ?? ''}`
  return `fetched ${d.cid}: ${formatBytes(d.bytesDone)} in ${formatCount(d.blocksDone)} blocks`
}

export function renderAdded(added: FileAddedJson): string {
  return `added ${added.cid} ${added.name} (${added.kind}, ${formatBytes(added.sizeBytes)})`
}

export function renderExported(out: FileExportJson): string {
  return `saved ${out.path} (${formatCount(out.files)} file${out.files === 1 ? '' : 's'}, ${formatBytes(out.bytes)})`
}

export function renderRoots(roots: readonly FileRootJson[], options: { maxWidth?: number } = {}): string {
  if (roots.length === 0) return 'no files: add one with `peerchain files add PATH`'
  return renderTable(
    [
      { header: 'CID', shrink: true, minWidth: 20 },
      { header: 'NAME', shrink: true },
      { header: 'SIZE', align: 'right' },
      { header: 'PINNED' },
      { header: 'SOURCE' },
      { header: 'ADDED' },
    ],
    roots.map((r) => [
      r.cid,
      r.name,
      formatBytes(r.sizeBytes),
      r.pinned ? 'yes' : 'no',
      r.source,
      formatTime(r.addedAtMs),
    ]),
    options,
  )
}

export function renderStat(stat: FileStatJson): string {
  return renderFields([
    ['cid', stat.cid],
    ['name', stat.name ?? '-'],
    ['size', stat.sizeBytes === null ? 'unknown' : formatBytes(stat.sizeBytes)],
    ['blocks', `${formatCount(stat.blocksHeld)} held of ${formatCount(stat.blocks)} known`],
    ['held', formatBytes(stat.bytesHeld)],
    ['complete', stat.complete ? 'yes' : 'no'],
    ['pinned', stat.pinned ? 'yes' : 'no'],
  ])
}

export function renderGc(gc: FileGcJson): string {
  return (
    `removed ${formatCount(gc.blocksRemoved)} blocks (${formatBytes(gc.bytesRemoved)}) ` +
    `and ${formatCount(gc.rootsRemoved)} unpinned roots; kept ${formatCount(gc.blocksKept)} blocks`
  )
}
