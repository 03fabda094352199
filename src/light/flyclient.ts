/**
 * A FlyClient proof of a version 2 chain's work (Bünz, Kiffer, Luu, Zamani
 * 2019): the tip header and a few sampled ancestors, each with its MMR
 * inclusion proof against the tip's `mmrRoot` (docs/PROTOCOL.md, "Header
 * commitment (MMR)"), instead of every header.
 *
 * The tip's MMR commits to blocks 0 … n − 1 (n = the tip's height) and to the
 * work under every node, so an inclusion proof of leaf i also proves the work
 * of blocks 0 … i − 1. Sample points are work values in [0, W), W the work of
 * the tip's MMR, drawn by Fiat–Shamir from the tip's hash and W (so the prover
 * cannot choose them), with equal probability in each halving of the distance
 * to the tip: [0, W/2), [W/2, 3W/4), … (FlyClient's density 1/(1−x), which
 * makes a fork that diverges anywhere show up in some window). For each point
 * the proof holds the block whose work range [before, before + work) covers
 * it; block 0 (the genesis) is always proven, so the chain is ours.
 *
 * The verifier checks the tip's proof of work, each sample's header (its
 * proof of work; the genesis by its known hash), that the sample's leaf is
 * built from the header's own work (`work(header)`, its target's), its
 * inclusion at its height, and that every point is covered. A chain whose
 * blocks do not carry the work the MMR claims fails one of these with
 * probability growing with the share of work it fakes and the sample count.
 * Claimed total work = W + the tip's work.
 *
 * Not checked here (left to the light client, FlyClient's further rules):
 * retargeting and timestamps between sampled headers, and that a sampled
 * header's own `mmrRoot` is the root of the tip MMR's prefix.
 */
import { workOf } from '../consensus/pow/target.js'
import { BLOCK_VERSION_MMR, type Header } from '../ledger/block.js'
import { sha256 } from '../ledger/crypto.js'
import type { ConsensusParams } from '../ledger/genesis.js'
import { MMR_WORK_BYTES, type MmrProof, MmrTree, mmrLeaf, mmrProofBytes, verifyMmrProof } from '../ledger/mmr.js'
import { bigintToBytes, bytesToBigint, equalBytes } from '../util/bytes.js'

const DOMAIN = new TextEncoder().encode('peerchain/flyclient/v1')

/** Default number of sample points (the client's choice: more points, a smaller chance a faked share of work escapes all). */
export const FLYCLIENT_SAMPLES = 64
/** Most samples a verifier accepts (a proof is bounded). */
export const FLYCLIENT_SAMPLES_MAX = 1024

/** What a header must pass and weigh (a consensus engine: PowEngine). */
export interface FlyRules {
  checkSeal(header: Header): void
  work(header: Header): bigint
}

/** PowEngine's seal check and work, without an engine (a light node has no miner): the target within the limit, the hash under it. */
export function powFlyRules(params: Pick<ConsensusParams, 'powLimit'>): FlyRules {
  return {
    checkSeal(header) {
      if (header.target > params.powLimit) throw new FlyProofError(`target of ${header.id} easier than the limit`)
      if (bytesToBigint(header.hash) > header.target) throw new FlyProofError(`hash ${header.id} above its own target`)
    },
    work: (header) => workOf(header.target),
  }
}

export interface FlySample {
  /** The header at height = its leaf index in the tip's MMR. */
  header: Header
  proof: MmrProof
}

export interface FlyProof {
  tip: Header
  /** Work of blocks 0 … tip height − 1: the total the tip's MMR commits to. */
  mmrWork: bigint
  /** One per distinct block sampled (the genesis among them), by height. */
  samples: FlySample[]
}

export class FlyProofError extends Error {
  override readonly name = 'FlyProofError'
}

/** The sample points of a tip: `count` work values in [0, mmrWork), by Fiat–Shamir from the tip's hash. */
export function samplePoints(tipHash: Uint8Array, mmrWork: bigint, leaves: number, count: number): bigint[] {
  if (mmrWork <= 0n) return []
  // halving windows down to about one block from the tip
  const windows = Math.max(1, Math.ceil(Math.log2(Math.max(2, leaves))))
  const points: bigint[] = []
  for (let j = 0; j < count; j++) {
    const counter = new Uint8Array(4)
    new DataView(counter.buffer).setUint32(0, j)
    const r = bytesToBigint(sha256(DOMAIN, tipHash, bigintToBytes(mmrWork, MMR_WORK_BYTES), counter))
    const t = Number(r % BigInt(windows))
    const lo = mmrWork - (mmrWork >> BigInt(t))
    const hi = mmrWork - (mmrWork >> BigInt(t + 1))
    points.push(hi > lo ? lo + ((r >> 64n) % (hi - lo)) : lo)
  }
  return points
}

/**
 * The proof for the chain `headers` (genesis first, the tip last, each the
 * parent of the next): what a full node serves from its stored main chain.
 */
export function buildFlyProof(
  headers: readonly Header[],
  work: (header: Header) => bigint,
  count = FLYCLIENT_SAMPLES,
): FlyProof {
  const tip = headers[headers.length - 1]
  if (!tip || tip.height !== headers.length - 1) throw new RangeError('headers must run from genesis to the tip')
  const n = tip.height
  const tree = new MmrTree()
  /** before[i]: work of blocks 0 … i − 1. */
  const before: bigint[] = [0n]
  for (let i = 0; i < n; i++) {
    const w = work(headers[i] as Header)
    tree.append((headers[i] as Header).hash, w)
    before.push((before[i] as bigint) + w)
  }
  const mmrWork = before[n] as bigint
  const wanted = new Set<number>(n > 0 ? [0] : [])
  for (const x of samplePoints(tip.hash, mmrWork, n, count)) {
    // the last i with before[i] <= x
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((before[mid] as bigint) <= x) lo = mid
      else hi = mid - 1
    }
    wanted.add(lo)
  }
  const samples = [...wanted]
    .sort((a, b) => a - b)
    .map((i) => ({ header: headers[i] as Header, proof: tree.prove(i, n) }))
  return { tip, mmrWork, samples }
}

export interface FlyVerified {
  tip: Header
  /** Work of the whole chain, the tip's included: what fork choice compares. */
  totalWork: bigint
  /** Distinct blocks sampled. */
  sampled: number
}

/**
 * Checks `proof` for a chain of genesis `genesisHash`; throws FlyProofError
 * naming the first fault. `count` must be the sample count the client asks
 * for (the points are its, not the prover's).
 */
export function verifyFlyProof(
  proof: FlyProof,
  rules: FlyRules,
  genesisHash: Uint8Array,
  count = FLYCLIENT_SAMPLES,
): FlyVerified {
  const { tip, mmrWork, samples } = proof
  const fail: (why: string) => never = (why) => {
    throw new FlyProofError(`flyclient proof of tip ${tip.id}: ${why}`)
  }
  if (count > FLYCLIENT_SAMPLES_MAX || samples.length > count + 1) fail(`${samples.length} samples for ${count} points`)
  const root = tip.fields.mmrRoot
  if (tip.fields.version !== BLOCK_VERSION_MMR || root?.byteLength !== 32) fail('the tip carries no MMR root')
  const sealed = (header: Header): void => {
    try {
      rules.checkSeal(header)
    } catch (err) {
      fail(`block ${header.id} at ${header.height}: ${(err as Error).message}`)
    }
  }
  sealed(tip)
  const n = tip.height
  if (n === 0) {
    if (!equalBytes(tip.hash, genesisHash)) fail('a chain of another genesis')
    return { tip, totalWork: rules.work(tip), sampled: 0 }
  }
  if (mmrWork <= 0n) fail('no work claimed')
  /** Work range [from, to) of each sample, by height. */
  const ranges: Array<{ from: bigint; to: bigint }> = []
  let lastHeight = -1
  for (const { header, proof: path } of samples) {
    const i = header.height
    if (i <= lastHeight || i >= n) fail(`sample at height ${i} out of order or not below the tip`)
    lastHeight = i
    if (i === 0) {
      if (!equalBytes(header.hash, genesisHash)) fail(`block 0 is ${header.id}, not our genesis`)
    } else sealed(header)
    const work = rules.work(header)
    const proven = verifyMmrProof(root as Uint8Array, n, i, mmrLeaf(header.hash, work), path)
    if (!proven) fail(`block ${header.id} with its work is not leaf ${i} of the tip's MMR`)
    if (proven.totalWork !== mmrWork) fail(`the MMR holds work ${proven.totalWork}, not the ${mmrWork} claimed`)
    ranges.push({ from: proven.workBefore, to: proven.workBefore + work })
  }
  if (lastHeight < 0 || samples[0]?.header.height !== 0) fail('the genesis is not proven')
  const used = new Set<number>([0])
  for (const x of samplePoints(tip.hash, mmrWork, n, count)) {
    // ranges are disjoint and ordered by height, so by work
    let lo = 0
    let hi = ranges.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((ranges[mid] as { from: bigint }).from <= x) lo = mid
      else hi = mid - 1
    }
    const range = ranges[lo] as { from: bigint; to: bigint }
    if (!(range.from <= x && x < range.to)) fail(`no sample covers work ${x}`)
    used.add(lo)
  }
  if (used.size !== samples.length) fail(`${samples.length - used.size} samples cover no point`)
  return { tip, totalWork: mmrWork + rules.work(tip), sampled: samples.length }
}

/** Bytes of the proof in a plain encoding: each header and MMR node, a 4-byte length or count per part, the work. */
export function flyProofBytes(proof: FlyProof): number {
  let bytes = 4 + proof.tip.bytes.byteLength + MMR_WORK_BYTES + 4
  for (const s of proof.samples) bytes += 4 + s.header.bytes.byteLength + 8 + mmrProofBytes(s.proof)
  return bytes
}
