/** The Files card's pure parts: CID input check, a download's progress fraction, the bounded list of followed downloads. */
import type { FileDownloadJson } from '../../src/files/json.js'

/** Downloads the card follows at once; past it the oldest finished one goes (or the oldest of all). */
export const DOWNLOADS_SHOWN_MAX = 8

/** A CIDv1 in base32 (`b…`) or a CIDv0 (`Qm…`, base58btc); the node checks it fully. */
export function isCidText(text: string): boolean {
  return /^b[a-z2-7]{20,120}$/.test(text) || /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(text)
}

/** 0..1: bytes over the total when it is known, else blocks over the blocks known; 1 once done. */
export function downloadFraction(d: FileDownloadJson): number {
  if (d.state === 'done') return 1
  if (d.bytesTotal !== null && d.bytesTotal > 0) return Math.min(1, d.bytesDone / d.bytesTotal)
  return d.blocksKnown > 0 ? Math.min(1, d.blocksDone / d.blocksKnown) : 0
}

/** `status` in place of the download of the same CID, or first when new; at most DOWNLOADS_SHOWN_MAX kept. */
export function upsertDownload(all: FileDownloadJson[], status: FileDownloadJson): FileDownloadJson[] {
  if (all.some((d) => d.cid === status.cid)) return all.map((d) => (d.cid === status.cid ? status : d))
  const next = [status, ...all]
  if (next.length <= DOWNLOADS_SHOWN_MAX) return next
  let drop = next.length - 1
  for (let i = next.length - 1; i >= 1; i--) {
    if (next[i]?.state !== 'running') {
      drop = i
      break
    }
  }
  next.splice(drop, 1)
  return next
}

/** The page could not read a download's progress: it stops following it and says why. */
export function unreadable(all: FileDownloadJson[], cid: string, message: string): FileDownloadJson {
  const last = all.find((d) => d.cid === cid) ?? {
    cid,
    state: 'failed' as const,
    blocksDone: 0,
    blocksKnown: 0,
    bytesDone: 0,
    bytesTotal: null,
    providers: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
    startedAtMs: 0,
  }
  return { ...last, state: 'failed', error: { code: 'UNREADABLE', message } }
}
