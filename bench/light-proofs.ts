/**
 * The in-process figures of the light bench, on one core (this thread):
 *
 * - proof verifications per second: account proofs and tx inclusion proofs
 *   as a full node serves them (the light protocol's handler,
 *   src/light/handler.ts, over the built chain's real state and blocks),
 *   checked with src/light/verify.ts (verifyAccountProof against the tip
 *   header's stateRoot; verifyTxProof against the block header's txRoot), in
 *   a loop of at least VERIFY_MS. Beside each, the client's whole path
 *   (src/light/client.ts: decode the response, compare the header, verify),
 *   with a send function that returns the stored answer at once.
 * - the FlyClient sampling proof (src/light/flyclient.ts): built for a chain
 *   of headers, verified, and its size (flyProofBytes: the proof in a plain
 *   encoding, as the protocol has no message for it yet) against the bytes of
 *   every header of the chain.
 */
import { StateTrie } from '../src/chain/trie.js'
import type { PowEngine } from '../src/consensus/pow/engine.js'
import { addressFromPublicKey } from '../src/ledger/address.js'
import type { Header } from '../src/ledger/block.js'
import { sha256 } from '../src/ledger/crypto.js'
import { createLightClient } from '../src/light/client.js'
import {
  type AccountProofResponse,
  decodeAccountProofResponse,
  decodeTxProofResponse,
  encodeLightRequest,
  type TxProofResponse,
} from '../src/light/codec.js'
import { buildFlyProof, FLYCLIENT_SAMPLES, flyProofBytes, verifyFlyProof } from '../src/light/flyclient.js'
import { createLightHandler } from '../src/light/handler.js'
import { verifyAccountProof, verifyTxProof } from '../src/light/verify.js'
import { toHex, u64be } from '../src/util/bytes.js'
import { benchKey } from './common.js'
import type { LightChain } from './light-chain.js'

const VERIFY_MS = 2000
const PEER = 'bench-peer'

/** Runs `once(i)` for i = 0, 1, … (cycling through `n` items) for at least `ms`; calls per second. */
function rate(n: number, once: (i: number) => void, ms = VERIFY_MS): number {
  for (let i = 0; i < Math.min(n, 200); i++) once(i) // warm up
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < n; i++) once(i)
    calls += n
  }
  return calls / ((performance.now() - start) / 1000)
}

async function rateAsync(n: number, once: (i: number) => Promise<void>, ms = VERIFY_MS): Promise<number> {
  for (let i = 0; i < Math.min(n, 200); i++) await once(i)
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < n; i++) await once(i)
    calls += n
  }
  return calls / ((performance.now() - start) / 1000)
}

const noCharge = (peer: string, penalty: number, reason: string): void => {
  throw new Error(`a bench proof was refused (${peer} charged ${penalty}): ${reason}`)
}

export interface AccountProofFigures {
  accounts: number
  absent: number
  verifyPerS: number
  verifyAbsentPerS: number
  clientPerS: number
  meanNodes: number
  meanProofBytes: number
  meanResponseBytes: number
}

/** Account proofs at the tip of `lc`, for every bench account and the miner, and for `absent` unused addresses. */
export async function accountProofFigures(
  lc: LightChain,
  accounts: number,
  absent = 500,
): Promise<AccountProofFigures> {
  const trie = await StateTrie.open(lc.store)
  const handler = createLightHandler(lc.chain, trie)
  const tip = lc.chain.head.header
  const present = [...Array.from({ length: accounts }, (_, i) => addressFromPublicKey(benchKey(i).publicKey)), lc.miner]
  const missing = Array.from({ length: absent }, (_, i) => sha256(u64be(1_000_000 + i)).subarray(0, 20))
  const ask = async (address: Uint8Array) => {
    const request = encodeLightRequest({ kind: 'account', blockHash: tip.hash, address })
    const bytes = await handler(request, PEER)
    return { address, request, bytes, response: decodeAccountProofResponse(bytes) }
  }
  const presentAnswers = await Promise.all(present.map(ask))
  const absentAnswers = await Promise.all(missing.map(ask))
  for (const a of presentAnswers) {
    if (a.response.account.byteLength === 0) throw new Error(`no account proven for ${toHex(a.address)}`)
  }
  for (const a of absentAnswers)
    if (a.response.account.byteLength !== 0) throw new Error('an unused address has an account')

  const verifyAll = (answers: Array<{ address: Uint8Array; response: AccountProofResponse }>) =>
    rate(answers.length, (i) => {
      const a = answers[i] as { address: Uint8Array; response: AccountProofResponse }
      verifyAccountProof(tip, a.address, a.response.proof, a.response.account)
    })
  const verifyPerS = verifyAll(presentAnswers)
  const verifyAbsentPerS = verifyAll(absentAnswers)

  const byRequest = new Map(presentAnswers.map((a) => [toHex(a.request), a.bytes]))
  const client = createLightClient({
    send: async (_peer, request) => byRequest.get(toHex(request)) as Uint8Array,
    report: noCharge,
  })
  const clientPerS = await rateAsync(presentAnswers.length, async (i) => {
    const r = await client.account(PEER, tip, (presentAnswers[i] as { address: Uint8Array }).address)
    if (!r.ok) throw new Error(`client refused a bench proof: ${r.code} ${r.message}`)
  })
  const nodes = presentAnswers.reduce((n, a) => n + a.response.proof.length, 0)
  const proofBytes = presentAnswers.reduce((n, a) => n + a.response.proof.reduce((m, p) => m + p.byteLength, 0), 0)
  const responseBytes = presentAnswers.reduce((n, a) => n + a.bytes.byteLength, 0)
  return {
    accounts: present.length,
    absent,
    verifyPerS,
    verifyAbsentPerS,
    clientPerS,
    meanNodes: nodes / present.length,
    meanProofBytes: proofBytes / present.length,
    meanResponseBytes: responseBytes / present.length,
  }
}

export interface TxProofFigures {
  txs: number
  blocks: number
  verifyPerS: number
  clientPerS: number
  meanPathHashes: number
  meanResponseBytes: number
}

/** Inclusion proofs of every tx of the last `blocks` blocks of `lc`. */
export async function txProofFigures(lc: LightChain, blocks = 100): Promise<TxProofFigures> {
  const trie = await StateTrie.open(lc.store)
  const handler = createLightHandler(lc.chain, trie)
  const byId = new Map<string, Header>()
  const answers: Array<{ txHash: Uint8Array; request: Uint8Array; bytes: Uint8Array; response: TxProofResponse }> = []
  for (let h = lc.chain.head.height; h > lc.chain.head.height - blocks && h > 0; h--) {
    const entry = lc.chain.index.mainAt(h)
    const block = entry && (await lc.chain.getBlock(entry.id))
    if (!block) throw new Error(`no block at ${h}`)
    byId.set(block.id, block.header)
    for (const tx of block.txs) {
      const request = encodeLightRequest({ kind: 'tx', txHash: tx.hash })
      const bytes = await handler(request, PEER)
      answers.push({ txHash: tx.hash, request, bytes, response: decodeTxProofResponse(bytes) })
    }
  }
  if (answers.length === 0) throw new Error('no txs in the last blocks: tx proofs need a chain with txs')
  const headerOf = answers.map((a) => byId.get(toHex(sha256(a.response.header))) as Header)
  const verifyPerS = rate(answers.length, (i) => {
    const r = (answers[i] as { response: TxProofResponse }).response
    verifyTxProof(headerOf[i] as Header, r.tx, r.index, r.txCount, r.path)
  })
  const byRequest = new Map(answers.map((a) => [toHex(a.request), a.bytes]))
  const client = createLightClient({
    send: async (_peer, request) => byRequest.get(toHex(request)) as Uint8Array,
    report: noCharge,
  })
  const trusted = (id: string) => byId.get(id)
  const clientPerS = await rateAsync(answers.length, async (i) => {
    const r = await client.tx(PEER, (answers[i] as { txHash: Uint8Array }).txHash, trusted)
    if (!r.ok) throw new Error(`client refused a bench tx proof: ${r.code} ${r.message}`)
  })
  return {
    txs: answers.length,
    blocks,
    verifyPerS,
    clientPerS,
    meanPathHashes: answers.reduce((n, a) => n + a.response.path.length, 0) / answers.length,
    meanResponseBytes: answers.reduce((n, a) => n + a.bytes.byteLength, 0) / answers.length,
  }
}

export interface FlyFigures {
  headers: number
  headersBytes: number
  meanHeaderBytes: number
  samples: number
  sampled: number
  proofBytes: number
  buildMs: number
  verifyMs: number
  /** The same at 4x the default sample count (a smaller chance for a faked share of work to escape). */
  samples4x: number
  proofBytes4x: number
}

/** The FlyClient proof of the chain `headers` (genesis first), built and verified, against the headers' bytes. */
export function flyFigures(headers: readonly Header[], engine: PowEngine): FlyFigures {
  const headersBytes = headers.reduce((n, h) => n + h.bytes.byteLength, 0)
  const work = (h: Header) => engine.work(h)
  const genesisHash = (headers[0] as Header).hash
  let start = performance.now()
  const proof = buildFlyProof(headers, work, FLYCLIENT_SAMPLES)
  const buildMs = performance.now() - start
  start = performance.now()
  const verified = verifyFlyProof(proof, engine, genesisHash, FLYCLIENT_SAMPLES)
  const verifyMs = performance.now() - start
  const expectedWork = headers.reduce((n, h) => n + engine.work(h), 0n)
  if (verified.totalWork !== expectedWork)
    throw new Error(`proof shows work ${verified.totalWork}, not ${expectedWork}`)
  const samples4x = FLYCLIENT_SAMPLES * 4
  const proof4x = buildFlyProof(headers, work, samples4x)
  verifyFlyProof(proof4x, engine, genesisHash, samples4x)
  return {
    headers: headers.length,
    headersBytes,
    meanHeaderBytes: headersBytes / headers.length,
    samples: FLYCLIENT_SAMPLES,
    sampled: verified.sampled,
    proofBytes: flyProofBytes(proof),
    buildMs,
    verifyMs,
    samples4x,
    proofBytes4x: flyProofBytes(proof4x),
  }
}
