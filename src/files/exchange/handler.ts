/**
 * The serving side of `/peerchain/<chainId>/files/1`: HAVE answers which of
 * the asked CIDs we hold (a bitfield); WANT sends the asked blocks we hold,
 * in order, until the answer's byte budget (WANT_RESPONSE_BYTES_SOFT_MAX, at
 * least one block), and marks those we lack. A malformed request or a CID of
 * a codec or hash we do not handle throws a typed error (the net layer resets
 * the stream) and charges the sender; a request past its peer's quota throws
 * SyncServeRefused (sync's ServeQuota: the `headers` lane counts CIDs asked in
 * HAVEs, the `blocks` lane blocks and bytes sent).
 */
import type { PeerIdString, RequestHandler } from '../../net/network.js'
import type { ServeQuota } from '../../sync/serve-quota.js'
import { decodeFilesRequest, encodeHaveAnswer, encodeWantAnswer, type FilesRequest, type WantAnswer } from './codec.js'
import { FilesCidError, FilesWireError } from './errors.js'
import { BLOCK_BYTES_MAX, FILES_PENALTIES, WANT_RESPONSE_BYTES_SOFT_MAX } from './limits.js'
import type { ExchangeStore } from './store.js'

export interface FilesHandlerOptions {
  reportPeer?(peer: PeerIdString, penalty: number, reason: string): void
  /** Per-peer quotas (limits: FILES_SERVE_QUOTA); without it every request is served. */
  quota?: ServeQuota
  /** A WANT answer's byte budget (default WANT_RESPONSE_BYTES_SOFT_MAX; lower only shortens answers). */
  answerBytesMax?: number
}

/** The files protocol's handler over the blocks of `store`. */
export function createFilesHandler(
  store: Pick<ExchangeStore, 'has' | 'get'>,
  opts: FilesHandlerOptions = {},
): RequestHandler {
  const budget = Math.min(opts.answerBytesMax ?? WANT_RESPONSE_BYTES_SOFT_MAX, WANT_RESPONSE_BYTES_SOFT_MAX)
  return async (request, peer) => {
    let req: FilesRequest
    try {
      req = decodeFilesRequest(request)
    } catch (err) {
      if (err instanceof FilesWireError || err instanceof FilesCidError) {
        opts.reportPeer?.(peer, FILES_PENALTIES.protocol, `files request: ${err.message}`)
      }
      throw err
    }
    const release = await opts.quota?.admit(peer, req.kind === 'have' ? 'headers' : 'blocks')
    try {
      if (req.kind === 'have') {
        const have = await Promise.all(req.cids.map((cid) => store.has(cid)))
        opts.quota?.served(peer, 'headers', req.cids.length, 0)
        return encodeHaveAnswer(have)
      }
      const answer: WantAnswer = { dontHave: req.cids.map(() => false), blocks: [] }
      let bytes = 0
      for (const [index, cid] of req.cids.entries()) {
        if (bytes >= budget) break
        const block = await store.get(cid)
        if (block === undefined) {
          answer.dontHave[index] = true
          continue
        }
        if (block.byteLength > BLOCK_BYTES_MAX) throw new Error(`our block ${cid} is over BLOCK_BYTES_MAX`)
        if (answer.blocks.length > 0 && bytes + block.byteLength > budget) break
        answer.blocks.push({ index, bytes: block })
        bytes += block.byteLength
      }
      opts.quota?.served(peer, 'blocks', answer.blocks.length, bytes)
      return encodeWantAnswer(req.cids.length, answer)
    } finally {
      release?.()
    }
  }
}
