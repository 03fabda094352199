/** FlyClient proofs over version 2 chains: an honest chain's proof is accepted, one whose blocks lack the claimed work is not. */
import { afterAll, describe, expect, it } from 'vitest'
import { PowEngine } from '../../../src/consensus/pow/engine.js'
import { Header, type HeaderFields } from '../../../src/ledger/block.js'
import { EMPTY_MMR, type MmrPeaks, mmrAppend, mmrRoot } from '../../../src/ledger/mmr.js'
import {
  buildFlyProof,
  FLYCLIENT_SAMPLES,
  type FlyProof,
  FlyProofError,
  flyProofBytes,
  verifyFlyProof,
} from '../../../src/light/flyclient.js'
import { bigintToBytes, bytesToBigint } from '../../../src/util/bytes.js'
import { mineBlock, openTestChain, testGenesis } from '../../helpers/chain.js'

const genesis = testGenesis({ headerVersion: 2 })
const engine = new PowEngine(genesis.params)
afterAll(() => engine.close())

const EASY = 1n << 255n // one hash in two meets it

/** Seals by counting nonces up from 0, in this thread (targets here are easy). */
function seal(fields: HeaderFields): Header {
  for (let nonce = 0n; ; nonce++) {
    const header = Header.fromFields({ ...fields, nonce })
    if (bytesToBigint(header.hash) <= header.target) return header
  }
}

/**
 * A version 2 header chain of `n` blocks (heights 0 … n − 1) built without a
 * Chain: block i has `targetOf(i)` and is mined when `mined(i)` (the genesis
 * never is: it is known by its hash).
 */
function headerChain(
  n: number,
  targetOf: (i: number) => bigint = () => EASY,
  mined: (i: number) => boolean = () => true,
): Header[] {
  const headers: Header[] = []
  let mmr: MmrPeaks = EMPTY_MMR
  for (let i = 0; i < n; i++) {
    const fields: HeaderFields = {
      version: 2,
      height: BigInt(i),
      parentHash: i === 0 ? new Uint8Array(32).fill(1) : (headers[i - 1] as Header).hash,
      timestamp: BigInt(1_767_225_600_000 + i * 1000),
      txRoot: new Uint8Array(32).fill(2),
      stateRoot: new Uint8Array(32).fill(3),
      target: bigintToBytes(targetOf(i)),
      miner: new Uint8Array(20).fill(4),
      reward: 5_000_000_000n,
      nonce: 0n,
      mmrRoot: mmrRoot(mmr),
    }
    const header = i > 0 && mined(i) ? seal(fields) : Header.fromFields(fields)
    headers.push(header)
    mmr = mmrAppend(mmr, header.hash, engine.work(header))
  }
  return headers
}

const work = (h: Header) => engine.work(h)
const expectRefused = (proof: FlyProof, genesisHash: Uint8Array, why: RegExp) =>
  expect(() => verifyFlyProof(proof, engine, genesisHash)).toThrow(why)

describe('FlyClient proofs', () => {
  it('accepts the proof a chain serves from its stored headers, with the chain’s total work', async () => {
    const t = await openTestChain({ genesis })
    for (let i = 0; i < 150; i++) await t.chain.importBlock(await mineBlock(t), 'rpc')
    const headers = Array.from({ length: t.chain.head.height + 1 }, (_, h) => t.chain.index.mainAt(h)!.header)
    const proof = buildFlyProof(headers, work)
    const verified = verifyFlyProof(proof, engine, t.chain.genesisBlock.hash)
    expect(verified.totalWork).toBe(t.chain.head.totalWork)
    expect(verified.tip.id).toBe(t.chain.head.id)
    expect(proof.samples[0]?.header.height).toBe(0)
    expect(verified.sampled).toBeLessThan(headers.length)
  })

  it('rejects a chain whose MMR claims more work than its blocks carry', () => {
    const headers = headerChain(400)
    // a prover that builds its MMR (and mines a tip committing to it) with inflated work per block
    const inflated = (h: Header) => engine.work(h) * 1000n
    let mmr: MmrPeaks = EMPTY_MMR
    for (const h of headers.slice(0, -1)) mmr = mmrAppend(mmr, h.hash, h.height === 0 ? engine.work(h) : inflated(h))
    const tip = seal({ ...(headers.at(-1) as Header).fields, mmrRoot: mmrRoot(mmr) })
    const proof = buildFlyProof([...headers.slice(0, -1), tip], (h) => (h.height === 0 ? engine.work(h) : inflated(h)))
    expectRefused(proof, (headers[0] as Header).hash, /is not leaf .* of the tip's MMR/)
  })

  it('rejects a chain whose second half claims a hard target without the proof of work', () => {
    const n = 1000
    const hard = 1n << 240n
    const headers = headerChain(
      n,
      (i) => (i < n / 2 ? EASY : hard),
      (i) => i < n / 2 || i === n - 1,
    )
    // the tip is really mined at the hard target; the blocks before it are not
    const tip = seal({ ...(headers.at(-1) as Header).fields })
    const proof = buildFlyProof([...headers.slice(0, -1), tip], work)
    expectRefused(proof, (headers[0] as Header).hash, /BLOCK_BAD_POW|above its own target/)
  })

  it('rejects a proof missing a sample, claiming other work, of another genesis, or with a tampered path', () => {
    const headers = headerChain(300)
    const genesisHash = (headers[0] as Header).hash
    const proof = buildFlyProof(headers, work)
    expect(verifyFlyProof(proof, engine, genesisHash).totalWork).toBe(
      headers.reduce((sum, h) => sum + engine.work(h), 0n),
    )
    expectRefused({ ...proof, samples: proof.samples.filter((_, i) => i !== 3) }, genesisHash, /no sample covers/)
    expectRefused({ ...proof, mmrWork: proof.mmrWork * 2n }, genesisHash, /not the .* claimed|no sample covers/)
    expectRefused(proof, new Uint8Array(32), /not our genesis/)
    const s = proof.samples[5]!
    const tampered = {
      ...s,
      proof: { ...s.proof, siblings: s.proof.siblings.map((x) => ({ ...x, work: x.work + 1n })) },
    }
    expectRefused(
      { ...proof, samples: proof.samples.map((x, i) => (i === 5 ? tampered : x)) },
      genesisHash,
      /is not leaf/,
    )
    const extra = buildFlyProof(headers, work, FLYCLIENT_SAMPLES * 2)
    expect(() => verifyFlyProof(extra, engine, genesisHash)).toThrow(FlyProofError)
  })

  it('measures the proof of a 10,000-block chain against all its headers', () => {
    const headers = headerChain(10_000)
    const proof = buildFlyProof(headers, work)
    const verified = verifyFlyProof(proof, engine, (headers[0] as Header).hash)
    const proofBytes = flyProofBytes(proof)
    const allBytes = headers.reduce((sum, h) => sum + h.bytes.byteLength, 0)
    console.log(
      `flyclient: 10,000 blocks, ${FLYCLIENT_SAMPLES} points, ${verified.sampled} headers sampled: ` +
        `proof ${proofBytes} bytes vs all headers ${allBytes} bytes (${((100 * proofBytes) / allBytes).toFixed(2)}%)`,
    )
    expect(proofBytes).toBeLessThan(allBytes / 10)
  })
})
