/** The light client's verification library: honest proofs pass, each kind of lie fails with its code. */
import { beforeAll, describe, expect, it } from 'vitest'
import { StateTrie, verifyAccountProof as trieVerify } from '../../../src/chain/trie.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { type Block, Header } from '../../../src/ledger/block.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { merkleProof } from '../../../src/ledger/merkle.js'
import { accountToBytes } from '../../../src/ledger/state.js'
import {
  LIGHT_PROOF_NODES_MAX,
  type LightProofCode,
  LightProofError,
  verifyAccountProof,
  verifyHeaderChain,
  verifyTxProof,
} from '../../../src/light/index.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { bytesToBigint } from '../../../src/util/bytes.js'
import { type TestChain, testGenesis, transfer } from '../../helpers/chain.js'
import { sourceChain } from '../sync/helpers.js'

let source: TestChain
let blocks: Block[]
let prover: StateTrie
const alice = addressFromPublicKey(devnetKey(0).publicKey)
const nobody = new Uint8Array(20).fill(0xab)

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(30))
  prover = await StateTrie.open(source.store, 4096)
})

const headerAt = (height: number): Header => source.chain.index.mainAt(height)?.header as Header
const proofAt = (height: number, address = alice) => prover.prove(headerAt(height).fields.stateRoot, address)

function codeOf(fn: () => unknown): LightProofCode | 'passed' {
  try {
    fn()
    return 'passed'
  } catch (err) {
    if (err instanceof LightProofError) return err.code
    throw err
  }
}

/** A header carrying `stateRoot`, for tries built outside a chain. */
const headerWithRoot = (stateRoot: Uint8Array): Header => Header.fromFields({ ...headerAt(1).fields, stateRoot })

describe('verifyAccountProof', () => {
  it('proves an account at a header, and its absence', async () => {
    const head = source.chain.head.header
    const account = verifyAccountProof(head, alice, await proofAt(head.height))
    expect(account).toEqual(await source.chain.getAccount(alice))
    expect(verifyAccountProof(head, nobody, await proofAt(head.height, nobody))).toBeUndefined()
    // With the claim the server sent beside the proof.
    const claimed = accountToBytes(account as NonNullable<typeof account>)
    expect(verifyAccountProof(head, alice, await proofAt(head.height), claimed)).toEqual(account)
    expect(verifyAccountProof(head, nobody, await proofAt(head.height, nobody), new Uint8Array(0))).toBeUndefined()
  })

  it('agrees with the chain own (@ethereumjs/mpt) verifier on a trie of 300 accounts, present and absent', async () => {
    const store = new MemoryStore()
    await store.open()
    const trie = await StateTrie.open(store)
    const addresses = Array.from({ length: 300 }, (_, i) => sha256(new Uint8Array([i >> 8, i & 0xff])).subarray(0, 20))
    const root = await trie.update(
      trie.emptyRoot,
      addresses.map((address, i) => ({ address, account: { balance: BigInt(i + 1), nonce: BigInt(i % 3) } })),
    )
    const header = headerWithRoot(root)
    const probes = [...addresses.slice(0, 60), ...Array.from({ length: 60 }, (_, i) => new Uint8Array(20).fill(i))]
    for (const address of probes) {
      const proof = await trie.prove(root, address)
      expect(verifyAccountProof(header, address, proof)).toEqual(await trieVerify(root, address, proof))
    }
  })

  it('refuses an altered balance, in the claim or in the proof', async () => {
    const head = source.chain.head.header
    const proof = await proofAt(head.height)
    const account = verifyAccountProof(head, alice, proof) as NonNullable<ReturnType<typeof verifyAccountProof>>
    const richer = accountToBytes({ ...account, balance: account.balance + 1_000_000n })
    expect(codeOf(() => verifyAccountProof(head, alice, proof, richer))).toBe('PROOF_ACCOUNT_MISMATCH')
    // Absent claimed for an account that exists, and an account claimed where the proof shows none.
    expect(codeOf(() => verifyAccountProof(head, alice, proof, new Uint8Array(0)))).toBe('PROOF_ACCOUNT_MISMATCH')
    const none = await proofAt(head.height, nobody)
    expect(codeOf(() => verifyAccountProof(head, nobody, none, richer))).toBe('PROOF_ACCOUNT_MISMATCH')
    // The leaf itself rewritten: it is no longer the node its parent names.
    const leaf = proof[proof.length - 1] as Uint8Array
    const forged = Buffer.from(leaf)
      .toString('hex')
      .replace(Buffer.from(accountToBytes(account)).toString('hex'), Buffer.from(richer).toString('hex'))
    expect(forged).not.toBe(Buffer.from(leaf).toString('hex'))
    const lying = [...proof.slice(0, -1), new Uint8Array(Buffer.from(forged, 'hex'))]
    expect(codeOf(() => verifyAccountProof(head, alice, lying))).toBe('PROOF_BAD_HASH')
  })

  it('refuses a proof for another root', async () => {
    // Alice's balance changed between block 1 and block 11: the old proof is honest, for the old root.
    const old = await proofAt(1)
    expect(verifyAccountProof(headerAt(1), alice, old)?.balance).not.toBe(
      verifyAccountProof(headerAt(11), alice, await proofAt(11))?.balance,
    )
    expect(codeOf(() => verifyAccountProof(headerAt(11), alice, old))).toBe('PROOF_BAD_ROOT')
    expect(codeOf(() => verifyAccountProof(headerAt(11), alice, []))).toBe('PROOF_TRUNCATED')
  })

  it('refuses a truncated proof, a proof with nodes past its path, and one with a node out of order', async () => {
    const store = new MemoryStore()
    await store.open()
    const trie = await StateTrie.open(store)
    const addresses = Array.from({ length: 500 }, (_, i) =>
      sha256(new Uint8Array([7, i >> 8, i & 0xff])).subarray(0, 20),
    )
    const root = await trie.update(
      trie.emptyRoot,
      addresses.map((address) => ({ address, account: { balance: 5n, nonce: 1n } })),
    )
    const header = headerWithRoot(root)
    const proof = await trie.prove(root, addresses[0] as Uint8Array)
    expect(proof.length).toBeGreaterThanOrEqual(3)
    expect(verifyAccountProof(header, addresses[0] as Uint8Array, proof)?.balance).toBe(5n)
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, proof.slice(0, -1)))).toBe(
      'PROOF_TRUNCATED',
    )
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, [proof[0] as Uint8Array]))).toBe(
      'PROOF_TRUNCATED',
    )
    const other = await trie.prove(root, addresses[1] as Uint8Array)
    const extra = [...proof, other[other.length - 1] as Uint8Array]
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, extra))).toBe('PROOF_EXTRA_NODES')
    const swapped = [proof[0], proof[2], proof[1], ...proof.slice(3)] as Uint8Array[]
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, swapped))).toBe('PROOF_BAD_HASH')
    const long = Array.from({ length: LIGHT_PROOF_NODES_MAX + 1 }, () => proof[0] as Uint8Array)
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, long))).toBe('PROOF_TOO_LARGE')
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, [new Uint8Array(600)]))).toBe(
      'PROOF_TOO_LARGE',
    )
    // Garbage that hashes to the root cannot be made; garbage in its place is a bad root, never a crash.
    expect(codeOf(() => verifyAccountProof(header, addresses[0] as Uint8Array, [new Uint8Array([1, 2, 3])]))).toBe(
      'PROOF_BAD_ROOT',
    )
  })

  it('verifies 1,000 account proofs (no timing asserted: bench/ measures speed)', async () => {
    const head = source.chain.head.header
    const present = await proofAt(head.height)
    const absent = await proofAt(head.height, nobody)
    let found = 0
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0 ? verifyAccountProof(head, alice, present) : verifyAccountProof(head, nobody, absent)) found++
    }
    expect(found).toBe(500)
  })
})

describe('verifyTxProof', () => {
  const withTx = () => blocks[10] as Block // height 11 carries a transfer

  it('proves a tx at its index under the txRoot', () => {
    const block = withTx()
    const leaves = block.txs.map((t) => t.hash)
    for (const [i, tx] of block.txs.entries()) {
      const proven = verifyTxProof(block.header, tx.bytes, i, leaves.length, merkleProof(leaves, i))
      expect(proven.id).toBe(tx.id)
    }
  })

  it('refuses a tx "proof" for a tx not in the block, or at another place', () => {
    const block = withTx()
    const leaves = block.txs.map((t) => t.hash)
    const path = merkleProof(leaves, 0)
    const stranger = transfer(2, 3, 0n)
    expect(codeOf(() => verifyTxProof(block.header, stranger.bytes, 0, leaves.length, path))).toBe('TX_NOT_IN_BLOCK')
    // The real tx, under another block's root.
    expect(codeOf(() => verifyTxProof(headerAt(12), block.txs[0]?.bytes as Uint8Array, 0, leaves.length, path))).toBe(
      'TX_NOT_IN_BLOCK',
    )
    // Claimed at another index or in a tree of another size.
    expect(codeOf(() => verifyTxProof(block.header, block.txs[0]?.bytes as Uint8Array, 1, leaves.length, path))).toBe(
      'TX_NOT_IN_BLOCK',
    )
    expect(
      codeOf(() => verifyTxProof(block.header, block.txs[0]?.bytes as Uint8Array, 0, leaves.length + 1, path)),
    ).toBe('TX_NOT_IN_BLOCK')
    expect(codeOf(() => verifyTxProof(block.header, new Uint8Array([0xff, 1]), 0, 1, []))).toBe('TX_MALFORMED')
  })
})

describe('verifyHeaderChain', () => {
  const params = testGenesis().params
  const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => headerAt(from + i))
  /** Re-seals `fields` until its hash meets its target (the test target is met by one hash in two). */
  const seal = (fields: Header['fields']): Header => {
    for (let nonce = 0n; ; nonce++) {
      const h = Header.fromFields({ ...fields, nonce })
      if (bytesToBigint(h.hash) <= h.target) return h
    }
  }

  it('accepts the main chain from genesis, with its work', () => {
    const headers = run(1, 30)
    const { work } = verifyHeaderChain(headers, params, { parent: source.chain.genesisBlock.header })
    expect(work).toBe(source.chain.head.totalWork - source.chain.index.mainAt(0)!.totalWork)
    expect(verifyHeaderChain(run(10, 20), params, { parent: headerAt(9) }).work).toBeGreaterThan(0n)
  })

  it('refuses a broken link: a wrong parent hash, a skipped height, another parent', () => {
    const headers = run(1, 10)
    const genesis = source.chain.genesisBlock.header
    expect(codeOf(() => verifyHeaderChain([...headers.slice(0, 4), ...headers.slice(5)], params))).toBe(
      'HEADERS_NOT_LINKED',
    )
    expect(codeOf(() => verifyHeaderChain(run(2, 10), params, { parent: genesis }))).toBe('HEADERS_NOT_LINKED')
    const relinked = seal({ ...(headers[5] as Header).fields, parentHash: new Uint8Array(32).fill(1) })
    const broken = [...headers.slice(0, 5), relinked, ...headers.slice(6)]
    expect(codeOf(() => verifyHeaderChain(broken, params, { parent: genesis }))).toBe('HEADERS_NOT_LINKED')
    // A header that links by hash but claims another height.
    const h1 = headers[0] as Header
    const wrongHeight = seal({ ...h1.fields, height: 5n })
    expect(codeOf(() => verifyHeaderChain([wrongHeight], params, { parent: genesis }))).toBe('HEADERS_NOT_LINKED')
  })

  it('refuses a chain with less work than it must carry, or than claimed, and a hash above its target', () => {
    const genesis = source.chain.genesisBlock.header
    const h1 = headerAt(1)
    // An easier target than the parent's, between retargets: less work per header.
    const easier = seal({ ...h1.fields, target: new Uint8Array(32).fill(0xff) })
    expect(codeOf(() => verifyHeaderChain([easier], params, { parent: genesis }))).toBe('HEADERS_BAD_TARGET')
    const { work } = verifyHeaderChain(run(1, 10), params, { parent: genesis })
    expect(codeOf(() => verifyHeaderChain(run(1, 10), params, { parent: genesis, minWork: work + 1n }))).toBe(
      'HEADERS_LOW_WORK',
    )
    let unsealed = Header.fromFields({ ...h1.fields, nonce: 0n })
    for (let n = 1n; bytesToBigint(unsealed.hash) <= unsealed.target; n++)
      unsealed = Header.fromFields({ ...h1.fields, nonce: n })
    expect(codeOf(() => verifyHeaderChain([unsealed], params, { parent: genesis }))).toBe('HEADERS_BAD_POW')
    expect(codeOf(() => verifyHeaderChain([unsealed], params))).toBe('HEADERS_BAD_POW')
  })

  it('refuses a timestamp at or before the median time past, or too far ahead of the clock', () => {
    const genesis = source.chain.genesisBlock.header
    const h1 = headerAt(1)
    const old = seal({ ...h1.fields, timestamp: genesis.fields.timestamp })
    expect(codeOf(() => verifyHeaderChain([old], params, { parent: genesis }))).toBe('HEADERS_BAD_TIME')
    const nowMs = h1.timestampMs - params.maxFutureDriftMs - 1
    expect(codeOf(() => verifyHeaderChain([h1], params, { parent: genesis, nowMs }))).toBe('HEADERS_BAD_TIME')
  })

  it('checks retargets exactly when the interval is in reach, and within one adjustment otherwise', () => {
    const retargeting = { ...params, retargetInterval: 10 }
    const genesis = source.chain.genesisBlock.header
    // Height 10 retargets: our test chain kept its target, which the rule (with these params) would not give.
    expect(codeOf(() => verifyHeaderChain(run(1, 10), retargeting, { parent: genesis }))).toBe('HEADERS_BAD_TARGET')
    // Out of reach (no ancestor lookup), the same target is within one adjustment: bounded, counted.
    const { retargetsBounded } = verifyHeaderChain(run(5, 10), retargeting, { parent: headerAt(4) })
    expect(retargetsBounded).toBe(1)
  })

  it('leaves proof-of-stake headers out of scope, with its own code', () => {
    expect(codeOf(() => verifyHeaderChain(run(1, 2), { ...params, engine: 'pos' }))).toBe('HEADERS_UNSUPPORTED')
  })
})
