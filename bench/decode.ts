/**
 * Decoding the largest block a peer may send: 20,000 txs (ABS_LIMITS.blockTxsMax)
 * filling ~7.8 of the 8 MiB cap, the path of a block from the network
 * (`Block.fromBytes`: strict decode, then a Tx object with its id for each tx).
 * The issue's budget is 50 ms on one core. Prints the whole decode and its
 * parts, each the best of ROUNDS runs (ms); then what a validator does next
 * (each tx's fields read on first use, the Merkle root over the tx hashes);
 * then protons' parse and re-encode of the block, the codec's former strict
 * check, for reference.
 * Run: npm run bench -- decode   (or npx tsx bench/decode.ts; a few seconds)
 */
import '../src/util/shims.js'
import { pathToFileURL } from 'node:url'
import { Block, Header, type HeaderFields, txRootOf } from '../src/ledger/block.js'
import { decodeBlockParts, encodeBlock, encodeHeader, type TxFields } from '../src/ledger/codec/codec.js'
import * as pb from '../src/ledger/codec/peerchain.js'
import { decodeSyncResponse, encodeSyncResponse } from '../src/ledger/codec/wire-codec.js'
import { sha256Hex } from '../src/ledger/crypto.js'
import { DecodeError } from '../src/ledger/errors.js'
import { ABS_LIMITS } from '../src/ledger/limits.js'
import { Tx } from '../src/ledger/tx.js'
import { BLOCKS_MAX, HEADERS_MAX, SYNC_RESPONSE_BYTES_MAX } from '../src/sync/limits.js'
import { report } from './common.js'

const ROUNDS = 15
const BUDGET_MS = 50
/** 2,000 headers strictly decoded and hashed: ~25 µs a header. */
const HEADERS_BUDGET_MS = 150
/** Memo bytes per tx: 20,000 such txs come to ~7.6 MB, as close to the 8 MiB cap as the count allows. */
const MEMO_BYTES = 240

/** The largest block: every tx distinct (sender, amount, nonce), the header committing to them. */
export function largestBlockBytes(): Uint8Array {
  const txs = Array.from({ length: ABS_LIMITS.blockTxsMax }, (_, i): TxFields => {
    const sender = new Uint8Array(32)
    new DataView(sender.buffer).setUint32(0, i)
    return {
      chainId: 'peerchain-bench',
      senderPubKey: sender,
      recipient: new Uint8Array(20).fill(2),
      amount: BigInt(1000 + i),
      fee: 1n,
      nonce: BigInt(i % 7),
      memo: new Uint8Array(MEMO_BYTES).fill(i & 0xff),
      signature: new Uint8Array(64).fill(4),
      kind: 0,
      payload: new Uint8Array(0),
    }
  })
  const header: HeaderFields = {
    version: 1,
    height: 1_000_000n,
    parentHash: new Uint8Array(32).fill(9),
    timestamp: 1_700_000_000_000n,
    txRoot: txRootOf(txs.map((fields) => Tx.fromFields(fields))),
    stateRoot: new Uint8Array(32).fill(8),
    target: new Uint8Array(32).fill(0xff),
    miner: new Uint8Array(20).fill(1),
    reward: 5_000_000_000n,
    nonce: 12_345n,
  }
  return encodeBlock({ header, txs })
}

/** `fn`, with the DecodeError it must throw caught (any other outcome is the bench's error). */
function refusing(fn: () => unknown): () => void {
  return () => {
    try {
      fn()
    } catch (err) {
      if (err instanceof DecodeError) return
      throw err
    }
    throw new Error('bench/decode: an input that must be refused was decoded')
  }
}

/** Fastest of ROUNDS runs of `fn`, in ms (a shared machine stalls some runs, never all). */
function bestMs(fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now()
    fn()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

export async function run(): Promise<void> {
  const bytes = largestBlockBytes()
  const block = Block.fromBytes(bytes, ABS_LIMITS)
  if (block.txs.length !== ABS_LIMITS.blockTxsMax) throw new Error('bench/decode: the block lost txs')
  const size = { txs: block.txs.length, bytes: bytes.byteLength }
  const txBytes = block.txs.map((tx) => tx.bytes)

  const decode = () => Block.fromBytes(bytes, ABS_LIMITS)
  report('block decode (Block.fromBytes, max size)', bestMs(decode), 'ms', { ...size, budgetMs: BUDGET_MS })
  report(
    'block decode: strict scan (decodeBlockParts)',
    bestMs(() => decodeBlockParts(bytes, ABS_LIMITS)),
    'ms',
    size,
  )
  report(
    'block decode: tx ids (sha256Hex of each tx)',
    bestMs(() => txBytes.map((b) => sha256Hex(b))),
    'ms',
    size,
  )
  report(
    'block decode: Tx objects with their ids',
    bestMs(() => txBytes.map(Tx.fromDecoded)),
    'ms',
    size,
  )
  // What a validator does next (rules/block.ts checkBlockBody): every tx's fields, the Merkle root.
  const readFields = () => {
    for (const tx of decode().txs) if (tx.fields.fee < 0n) throw new Error('bench/decode: a negative fee')
  }
  report('block decode + every tx.fields', bestMs(readFields), 'ms', size)
  report(
    'block decode + tx root',
    bestMs(() => decode().computedTxRoot),
    'ms',
    size,
  )
  report(
    'block tx root (hashes known)',
    bestMs(() => txRootOf(block.txs)),
    'ms',
    size,
  )
  // The rest of a peer's largest inputs (each with the 50 ms frame budget; headers: ~25 µs a header)
  const tooMany = encodeBlock({
    header: block.header.fields,
    txs: [...block.txs.map((t) => t.fields), block.txs[0]!.fields],
  })
  report('block refused: one tx too many', bestMs(refusing(() => Block.fromBytes(tooMany, ABS_LIMITS))), 'ms', {
    budgetMs: BUDGET_MS,
  })
  const frame = encodeSyncResponse({ headers: [], blocks: [new Uint8Array(ABS_LIMITS.blockBytesMax).fill(7)] })
  report(
    'sync response decode (8 MiB frame)',
    bestMs(() => decodeSyncResponse(frame, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX)),
    'ms',
    {
      bytes: frame.byteLength,
      budgetMs: BUDGET_MS,
    },
  )
  const junk = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
  report(
    'sync response refused (8 MiB of junk)',
    bestMs(refusing(() => decodeSyncResponse(junk, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX))),
    'ms',
    { budgetMs: BUDGET_MS },
  )
  const headers = Array.from({ length: HEADERS_MAX }, (_, i) =>
    encodeHeader({ ...block.header.fields, nonce: BigInt(i) }),
  )
  const headersFrame = encodeSyncResponse({ headers, blocks: [] })
  report(
    `sync response: ${HEADERS_MAX} headers decoded and parsed to Header objects`,
    bestMs(() =>
      decodeSyncResponse(headersFrame, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX).headers.map((h) => Header.fromBytes(h)),
    ),
    'ms',
    { budgetMs: HEADERS_BUDGET_MS },
  )
  // protons, for reference: a parse and a re-encode of the whole block (the former strict check)
  const fields = pb.Block.decode(bytes)
  report(
    'protons parse (reference)',
    bestMs(() => pb.Block.decode(bytes)),
    'ms',
    size,
  )
  report(
    'protons re-encode (reference)',
    bestMs(() => pb.Block.encode(fields)),
    'ms',
    size,
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
