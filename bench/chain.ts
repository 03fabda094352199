/**
 * Ledger throughput:
 * - tx_validate_apply: stateless rules + signature + nonce/balance + apply, per tx, on one core,
 *   then the same with the block's state root computed (the Merkle-Patricia trie update);
 * - the same with signatures verified by worker threads, overlapped with applying;
 * - blocks of 1,000 txs imported per second into a LevelDB chain store, held against raw
 *   single-core verification (goal >= 1.4x): the median of 5 rounds, each against raw
 *   verification measured just before it;
 * - account proofs made and checked per second, on a 100,000-account state in LevelDB;
 * - fresh-node sync from 3 peers against import (real node processes; goal >= 0.9x);
 * - the node's footprint: idle RSS, cold start, `peerchain status` time (bench/footprint.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain } from '../src/chain/chain.js'
import { StateTrie, verifyAccountProof } from '../src/chain/trie.js'
import { PowEngine } from '../src/consensus/pow/engine.js'
import { addressFromPublicKey } from '../src/ledger/address.js'
import { Block } from '../src/ledger/block.js'
import { sha256, verify } from '../src/ledger/crypto.js'
import type { Genesis } from '../src/ledger/genesis.js'
import { checkTxSignature, checkTxStateless, firstBadSignature } from '../src/ledger/rules/tx.js'
import { SignatureVerifier } from '../src/ledger/sigverify/pool.js'
import { type Account, applyTx, StateOverlay } from '../src/ledger/state.js'
import type { Tx } from '../src/ledger/tx.js'
import { LevelStore } from '../src/storage/level.js'
import { MemoryStore } from '../src/storage/memory.js'
import { toHex, u64be } from '../src/util/bytes.js'
import { ManualClock } from '../src/util/clock.js'
import { benchGenesis, benchKey, isMain, makeTransfers, median, report } from './common.js'
import { runFootprint } from './footprint.js'
import { runSyncVsImport } from './network.js'

const ACCOUNTS = 2000
const PER_BLOCK = 1000

function initialAccounts(): Map<string, Account> {
  const m = new Map<string, Account>()
  for (let i = 0; i < ACCOUNTS; i++) {
    m.set(toHex(addressFromPublicKey(benchKey(i).publicKey)), { balance: 1_000_000n * 100_000_000n, nonce: 0n })
  }
  return m
}

/** Raw Ed25519 verifications per second on this thread: the limit the figures below are held against. */
function rawVerifyPerS(batch: Tx[], ms = 2000): number {
  const items = batch.map((tx) => [tx.fields.senderPubKey, tx.signingBytes, tx.fields.signature] as const)
  for (const [k, m, sig] of items) verify(k, m, sig) // import every key once
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (const [k, m, sig] of items) verify(k, m, sig)
    n += items.length
  }
  return n / ((performance.now() - start) / 1000)
}

async function validateApply(batches: Tx[][], chainId: string, limits: ReturnType<typeof benchGenesis>['limits']) {
  const base = initialAccounts()
  let txs = 0
  const start = performance.now()
  for (const batch of batches) {
    const overlay = new StateOverlay((hex) => base.get(hex))
    for (const tx of batch) {
      checkTxStateless(tx, { chainId, limits, staking: false })
      checkTxSignature(tx)
      applyTx(overlay, tx)
      txs++
    }
    for (const c of overlay.changes()) base.set(toHex(c.address), c.account)
  }
  return txs / ((performance.now() - start) / 1000)
}

async function validateApplyWithRoot(
  batches: Tx[][],
  chainId: string,
  limits: ReturnType<typeof benchGenesis>['limits'],
  verifier: SignatureVerifier | undefined,
  withRoot = true,
) {
  const base = initialAccounts()
  const trie = await StateTrie.open(new MemoryStore())
  let root = await trie.update(
    trie.emptyRoot,
    [...base.entries()].map(([hex, account]) => ({ address: Buffer.from(hex, 'hex'), account })),
  )
  trie.takeWrites()
  let txs = 0
  const start = performance.now()
  // With workers, the next block's signatures are checked while this block is applied.
  // Signatures of the next blocks are checked while this one is applied (two blocks in flight).
  const ahead = 2
  const pending: Array<Promise<number> | undefined> = batches.map((batch, b) =>
    verifier && b < ahead ? verifier.verifyTxs(batch) : undefined,
  )
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b] as Tx[]
    if (verifier) {
      const bad = await pending[b]
      if (bad !== -1) throw new Error('bad signature in bench data')
      if (b + ahead < batches.length) pending[b + ahead] = verifier.verifyTxs(batches[b + ahead] as Tx[])
    } else if (firstBadSignature(batch) !== -1) throw new Error('bad signature in bench data')
    const overlay = new StateOverlay((hex) => base.get(hex))
    for (const tx of batch) {
      checkTxStateless(tx, { chainId, limits, staking: false })
      applyTx(overlay, tx)
      txs++
    }
    const changes = overlay.changes()
    if (withRoot) {
      root = await trie.update(root, changes)
      trie.takeWrites()
    }
    for (const c of changes) base.set(toHex(c.address), c.account)
  }
  return txs / ((performance.now() - start) / 1000)
}

/** `count` blocks of PER_BLOCK transfers on the bench genesis, decoded afresh as a receiver holds them. */
export async function produceBlocks(count: number): Promise<{ genesis: Genesis; blocks: Block[] }> {
  const genesis = benchGenesis(ACCOUNTS)
  const batches = makeTransfers(ACCOUNTS, count, PER_BLOCK, genesis.chainId)
  const clock = new ManualClock(genesis.timestampMs + 1000)
  const engine = new PowEngine(genesis.params)
  const signatures = { verifyTxs: async () => -1 }
  const producerStore = new MemoryStore()
  await producerStore.open()
  const producer = await Chain.open({ store: producerStore, genesis, engine, clock, signatures })
  const blocks: Block[] = []
  const miner = addressFromPublicKey(benchKey(ACCOUNTS + 1).publicKey)
  for (const batch of batches) {
    clock.advance(1000)
    const { fields, txs } = await producer.buildBlock({ miner, txs: batch })
    const header = await engine.seal(fields)
    const block = new Block(header!, txs)
    await producer.importBlock(block, 'rpc')
    blocks.push(Block.fromBytes(block.bytes))
  }
  return { genesis, blocks }
}

/** Imports `blocks` into a fresh LevelDB chain; the rate of the import alone. */
export async function importBlocks(genesis: Genesis, blocks: readonly Block[], verifier: SignatureVerifier) {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-bench-'))
  try {
    const store = new LevelStore(join(dir, 'db'))
    await store.open()
    const clock = new ManualClock(genesis.timestampMs + 1000 * (blocks.length + 1))
    const chain = await Chain.open({
      store,
      genesis,
      engine: new PowEngine(genesis.params),
      clock,
      signatures: verifier,
    })
    // The blocks arrive as a burst from gossip: every import is asked for at once, as the relay
    // asks for each block it receives, and each head change is fsynced.
    const start = performance.now()
    await Promise.all(blocks.map((block) => chain.importBlock(block, 'gossip')))
    const seconds = (performance.now() - start) / 1000
    if (chain.head.height !== blocks.length) throw new Error(`imported to height ${chain.head.height}`)
    await chain.close()
    await store.close()
    return { blocksPerS: blocks.length / seconds, txPerS: (blocks.length * PER_BLOCK) / seconds }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const IMPORT_ROUNDS = 5

/**
 * The import held against raw verification, `IMPORT_ROUNDS` times: each round
 * measures raw verification just before importing (this machine's speed drifts
 * by ±15% within a minute), then imports the blocks read afresh from their
 * bytes into a new store, as a receiver holds them. The figures are the rounds'
 * medians.
 */
async function importRounds(produced: { genesis: Genesis; blocks: Block[] }, verifier: SignatureVerifier) {
  const rounds: Array<{ blocksPerS: number; txPerS: number; raw: number; ofRaw: number }> = []
  for (let i = 0; i < IMPORT_ROUNDS; i++) {
    const raw = rawVerifyPerS(produced.blocks[0]?.txs as Tx[], 1500)
    const blocks = produced.blocks.map((b) => Block.fromBytes(b.bytes))
    const imported = await importBlocks(produced.genesis, blocks, verifier)
    rounds.push({ ...imported, raw, ofRaw: imported.txPerS / raw })
  }
  return rounds
}

/** Account proofs (inclusion and exclusion alike) made, then checked, per second on a LevelDB state. */
async function proofRates(accounts: number) {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-bench-proofs-'))
  try {
    const store = new LevelStore(join(dir, 'db'))
    await store.open()
    const trie = await StateTrie.open(store)
    const address = (i: number) => sha256(u64be(i)).subarray(0, 20)
    let root = trie.emptyRoot
    for (let from = 0; from < accounts; from += 10_000) {
      const changes = Array.from({ length: 10_000 }, (_, j) => ({
        address: address(from + j),
        account: { balance: BigInt(from + j + 1), nonce: 0n },
      }))
      root = await trie.update(root, changes)
      await store.batch(trie.takeWrites())
    }
    // Half the proofs are of accounts that exist, half of addresses that do not.
    const targets = Array.from({ length: 2000 }, (_, i) => address(i % 2 === 0 ? i * 37 : accounts + i))
    const proofs: Uint8Array[][] = []
    let start = performance.now()
    for (const target of targets) proofs.push(await trie.prove(root, target))
    const provePerS = targets.length / ((performance.now() - start) / 1000)
    start = performance.now()
    let present = 0
    for (let i = 0; i < targets.length; i++) {
      if (await verifyAccountProof(root, targets[i] as Uint8Array, proofs[i] as Uint8Array[])) present++
    }
    const verifyPerS = targets.length / ((performance.now() - start) / 1000)
    if (present !== targets.length / 2) throw new Error(`${present} proofs of presence, expected ${targets.length / 2}`)
    const proofBytes = proofs.reduce((n, p) => n + p.reduce((m, node) => m + node.length, 0), 0) / proofs.length
    await store.close()
    return { provePerS, verifyPerS, proofBytes }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export async function run(): Promise<void> {
  const genesis = benchGenesis(ACCOUNTS)
  const batches = makeTransfers(ACCOUNTS, 8, PER_BLOCK, genesis.chainId)
  // Warm up the key cache and the JIT once, as a running node would be.
  await validateApply(batches.slice(0, 1), genesis.chainId, genesis.limits)
  const raw = rawVerifyPerS(batches[0] as Tx[])
  report('ed25519_verify_raw_per_s', raw, 'verify/s', { threads: 1, keys: 'cached' })
  const single = await validateApply(batches, genesis.chainId, genesis.limits)
  report('tx_validate_apply_per_s', single, 'tx/s', { threads: 1, stateRoot: false, ofRawVerify: single / raw })
  const singleRoot = await validateApplyWithRoot(batches, genesis.chainId, genesis.limits, undefined)
  report('tx_validate_apply_per_s', singleRoot, 'tx/s', { threads: 1, stateRoot: true, ofRawVerify: singleRoot / raw })
  const verifier = new SignatureVerifier({})
  try {
    // Every worker imports each sender's key once, as a running node has for senders it has seen.
    for (const batch of batches) await verifier.verifyTxs(batch)
    const pooledNoRoot = await validateApplyWithRoot(batches, genesis.chainId, genesis.limits, verifier, false)
    report('tx_validate_apply_per_s', pooledNoRoot, 'tx/s', {
      threads: 'workers',
      stateRoot: false,
      ofRawVerify: pooledNoRoot / raw,
    })
    const pooled = await validateApplyWithRoot(batches, genesis.chainId, genesis.limits, verifier)
    report('tx_validate_apply_per_s', pooled, 'tx/s', {
      threads: 'workers',
      stateRoot: true,
      ofRawVerify: pooled / raw,
    })
    const produced = await produceBlocks(30)
    const rounds = await importRounds(produced, verifier)
    report('block_import_per_s', median(rounds.map((r) => r.blocksPerS)), 'blocks/s', {
      txsPerBlock: PER_BLOCK,
      store: 'leveldb',
    })
    report('block_import_tx_per_s', median(rounds.map((r) => r.txPerS)), 'tx/s', {
      txsPerBlock: PER_BLOCK,
      blocks: produced.blocks.length,
      store: 'leveldb',
      ofRawVerify: median(rounds.map((r) => r.ofRaw)),
      rounds: rounds.map((r) => `${Math.round(r.txPerS)}/${Math.round(r.raw)}=${r.ofRaw.toFixed(2)}`).join(' '),
      goal: '>= 1.4x raw verify',
    })
  } finally {
    await verifier.close()
  }
  const proofs = await proofRates(100_000)
  report('account_proof_make_per_s', proofs.provePerS, 'proofs/s', {
    accounts: 100_000,
    store: 'leveldb',
    meanProofBytes: proofs.proofBytes,
    absent: 0.5,
  })
  report('account_proof_verify_per_s', proofs.verifyPerS, 'proofs/s', { accounts: 100_000, absent: 0.5 })
  await runSyncVsImport()
  await runFootprint()
}

if (isMain(import.meta.url)) await run()
