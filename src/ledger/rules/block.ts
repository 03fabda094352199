/**
 * Block rules that need no state: header fields, the header against its
 * parent, and the body against the header. Consensus rules (target, proof of
 * work) live in the consensus engine; state rules in state.ts and chain/.
 */
import { equalBytes } from '../../util/bytes.js'
import { BLOCK_VERSION, BLOCK_VERSION_MMR, type Block, type Header } from '../block.js'
import { BlockTxError, VerifyError } from '../errors.js'
import { ADDRESS_BYTES, HASH_BYTES } from '../limits.js'
import { type MmrPeaks, mmrRoot } from '../mmr.js'
import { checkTxStateless, type TxContext } from './tx.js'

/**
 * Field rules; `version` is the chain's header version (genesis
 * `consensus.headerVersion`), `pos` whether the chain is proof of stake: a
 * PoS header carries a 32-byte `validatorsHash`, a PoW header none.
 */
export function checkHeaderFields(header: Header, version: number = BLOCK_VERSION, pos = false): void {
  const f = header.fields
  if (f.version !== version) throw new VerifyError('BLOCK_BAD_VERSION', `version ${f.version} != ${version}`)
  const validatorsHashBytes = f.validatorsHash?.byteLength ?? 0
  if (validatorsHashBytes !== (pos ? HASH_BYTES : 0)) {
    const chain = pos ? 'proof-of-stake' : 'proof-of-work'
    throw new VerifyError('BLOCK_BAD_FIELD', `validatorsHash is ${validatorsHashBytes} bytes in a ${chain} header`)
  }
  // version 1 has no mmrRoot; version 2 always a 32-byte one
  const mmrBytes = f.mmrRoot?.byteLength ?? 0
  if (mmrBytes !== (version >= BLOCK_VERSION_MMR ? HASH_BYTES : 0)) {
    throw new VerifyError('BLOCK_BAD_FIELD', `mmrRoot is ${mmrBytes} bytes in a version ${version} header`)
  }
  for (const [name, bytes] of [
    ['parentHash', f.parentHash],
    ['txRoot', f.txRoot],
    ['stateRoot', f.stateRoot],
    ['target', f.target],
  ] as const) {
    if (bytes.byteLength !== HASH_BYTES)
      throw new VerifyError('BLOCK_BAD_FIELD', `${name} is ${bytes.byteLength} bytes`)
  }
  if (f.miner.byteLength !== ADDRESS_BYTES) {
    throw new VerifyError('BLOCK_BAD_FIELD', `miner is ${f.miner.byteLength} bytes`)
  }
}

/**
 * Version 2: the header's mmrRoot is the root of the MMR of its ancestors'
 * hashes (genesis included), `ancestors` the peaks of that MMR, which is the
 * parent's MMR state (chain/mmr-store.ts). Needs nothing but headers.
 */
export function checkHeaderMmr(header: Header, ancestors: MmrPeaks): void {
  if (ancestors.size !== header.height) {
    throw new Error(`MMR of ${ancestors.size} blocks given for a header at height ${header.height}`)
  }
  if (!equalBytes(header.fields.mmrRoot ?? new Uint8Array(0), mmrRoot(ancestors))) {
    throw new VerifyError('BLOCK_BAD_MMR_ROOT', `mmrRoot is not the MMR of the ${ancestors.size} blocks before it`)
  }
}

/** Median of the given timestamps (the parent's and its ancestors'). */
export function medianTimePast(timestampsMs: readonly number[]): number {
  if (timestampsMs.length === 0) return 0
  const sorted = [...timestampsMs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

export interface HeaderContext {
  parent: Header
  /** Median timestamp of the parent and its recent ancestors. */
  medianTimePastMs: number
  nowMs: number
  maxFutureDriftMs: number
}

export function checkHeaderContext(header: Header, ctx: HeaderContext): void {
  if (header.fields.height !== ctx.parent.fields.height + 1n) {
    throw new VerifyError('BLOCK_BAD_HEIGHT', `height ${header.fields.height} != parent height + 1`)
  }
  const ts = header.timestampMs
  if (ts <= ctx.medianTimePastMs) {
    throw new VerifyError('BLOCK_TIME_TOO_OLD', `timestamp ${ts} <= median time past ${ctx.medianTimePastMs}`)
  }
  if (ts > ctx.nowMs + ctx.maxFutureDriftMs) {
    throw new VerifyError(
      'BLOCK_TIME_TOO_NEW',
      `timestamp ${ts} is more than ${ctx.maxFutureDriftMs} ms ahead of ${ctx.nowMs}`,
    )
  }
}

export interface BodyContext extends TxContext {}

/** Size, count, tx root, duplicates and every tx's stateless rules (signatures: rules/tx.ts firstBadSignature or sigverify/). */
export function checkBlockBody(block: Block, ctx: BodyContext): void {
  const { limits } = ctx
  if (block.txs.length > limits.blockTxsMax) {
    throw new VerifyError('BLOCK_TOO_MANY_TXS', `${block.txs.length} txs > ${limits.blockTxsMax}`)
  }
  if (block.bytes.byteLength > limits.blockBytesMax) {
    throw new VerifyError('BLOCK_TOO_LARGE', `${block.bytes.byteLength} bytes > ${limits.blockBytesMax}`)
  }
  if (!equalBytes(block.computedTxRoot, block.header.fields.txRoot)) {
    throw new VerifyError('BLOCK_BAD_TX_ROOT', 'tx root does not match the transactions')
  }
  const seen = new Set<string>()
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!
    if (seen.has(tx.id)) throw new VerifyError('BLOCK_DUPLICATE_TX', `tx ${tx.id} appears twice`)
    seen.add(tx.id)
    try {
      checkTxStateless(tx, ctx)
    } catch (err) {
      if (err instanceof VerifyError) throw new BlockTxError(i, err)
      throw err
    }
  }
}
