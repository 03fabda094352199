/**
 * The browser's verification (src/light/verify-browser.ts: @noble/hashes, no
 * Buffer) gives verify.ts's answers on the same inputs, honest and tampered,
 * failure codes included, so the two cannot drift; its JSON checks hold the
 * header to the block the page trusts; and a browser bundle of it (esbuild,
 * platform browser) loads and answers in a context with no Buffer, no
 * process and no require (only the page's TextEncoder and TextDecoder).
 */
import { runInNewContext } from 'node:vm'
import { build } from 'esbuild'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { StateTrie } from '../../../src/chain/trie.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { type Block, Header } from '../../../src/ledger/block.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { merkleProof, merkleRoot, verifyMerkleProof } from '../../../src/ledger/merkle.js'
import { accountToBytes } from '../../../src/ledger/state.js'
import { LIGHT_PROOF_NODES_MAX } from '../../../src/light/limits.js'
import { LightProofError, verifyAccountProof, verifyTxProof } from '../../../src/light/verify.js'
import * as web from '../../../src/light/verify-browser.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { toHex } from '../../../src/util/bytes.js'
import { type TestChain, transfer } from '../../helpers/chain.js'
import { sourceChain } from '../sync/helpers.js'

type Outcome = { ok: true; value: unknown } | { ok: false; code: string }

function run(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() }
  } catch (err) {
    if (err instanceof LightProofError || err instanceof web.BrowserProofError) return { ok: false, code: err.code }
    if (err instanceof RangeError) return { ok: false, code: 'RangeError' }
    throw err
  }
}

/** Both verifiers on one account proof: the same account, or the same code. */
function sameAccount(header: Header, address: Uint8Array, proof: Uint8Array[], claimed?: Uint8Array): Outcome {
  const node = run(() => verifyAccountProof(header, address, proof, claimed))
  const page = run(() => web.verifyAccountProof(web.headerFromBytes(header.bytes), address, proof, claimed))
  expect(page).toEqual(node)
  return node
}

/** Both verifiers on one tx proof: the same tx id, or the same code. */
function sameTx(header: Header, txBytes: Uint8Array, index: number, count: number, path: Uint8Array[]): Outcome {
  const node = run(() => verifyTxProof(header, txBytes, index, count, path).id)
  const page = run(() => web.verifyTxProof(web.headerFromBytes(header.bytes), txBytes, index, count, path).id)
  expect(page).toEqual(node)
  return node
}

const flip = (bytes: Uint8Array, at: number, mask = 0x01): Uint8Array => {
  const out = new Uint8Array(bytes)
  out[at % out.length] = (out[at % out.length] as number) ^ mask
  return out
}

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

describe('the browser verifier agrees with verify.ts', () => {
  it('hashes, hex and header decoding match the node side', () => {
    const header = headerAt(11)
    const decoded = web.headerFromBytes(header.bytes)
    expect(decoded.id).toBe(header.id)
    expect(decoded.height).toBe(11)
    expect(decoded.fields).toEqual(Header.fromBytes(header.bytes).fields)
    for (const input of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(5000).fill(7)]) {
      expect(web.sha256(input)).toEqual(sha256(input))
      expect(web.sha256(input, input, new Uint8Array([9]))).toEqual(sha256(input, input, new Uint8Array([9])))
      expect(web.toHex(input)).toBe(toHex(input))
      expect(web.fromHex(toHex(input))).toEqual(input)
    }
    expect(() => web.fromHex('ABCD')).toThrow(TypeError)
    expect(web.addressBytes(formatAddress(alice))).toEqual(alice)
    expect(() => web.addressBytes('pc1qqqq')).toThrow(TypeError)
  })

  it('on honest account proofs at every height, present and absent, with and without the claim', async () => {
    for (let height = 1; height <= 30; height += 3) {
      const header = headerAt(height)
      const present = await proofAt(height)
      const got = sameAccount(header, alice, present)
      expect(got.ok && got.value).toBeTruthy()
      sameAccount(header, alice, present, accountToBytes(got.ok ? (got.value as never) : never()))
      const absent = await proofAt(height, nobody)
      expect(sameAccount(header, nobody, absent)).toEqual({ ok: true, value: undefined })
      sameAccount(header, nobody, absent, new Uint8Array(0))
    }
  })

  it('on a trie of 300 accounts, and on every kind of tampering with its proofs', async () => {
    const store = new MemoryStore()
    await store.open()
    const trie = await StateTrie.open(store)
    const addresses = Array.from({ length: 300 }, (_, i) =>
      sha256(new Uint8Array([3, i >> 8, i & 0xff])).subarray(0, 20),
    )
    const root = await trie.update(
      trie.emptyRoot,
      addresses.map((address, i) => ({ address, account: { balance: BigInt(i + 1), nonce: BigInt(i % 3) } })),
    )
    const header = Header.fromFields({ ...headerAt(1).fields, stateRoot: root })
    const codes = new Set<string>()
    const note = (o: Outcome) => codes.add(o.ok ? 'ok' : o.code)
    for (let i = 0; i < 40; i++) {
      const address = i % 2 === 0 ? (addresses[i] as Uint8Array) : new Uint8Array(20).fill(i)
      const proof = await trie.prove(root, address)
      note(sameAccount(header, address, proof))
      // A byte flipped in each node, at a few places.
      for (const [n, node] of proof.entries()) {
        for (const at of [0, 1, node.length >> 1, node.length - 1]) {
          const lying = [...proof]
          lying[n] = flip(node, at)
          note(sameAccount(header, address, lying))
        }
      }
      note(sameAccount(header, address, proof.slice(0, -1)))
      note(sameAccount(header, address, proof.slice(1)))
      note(sameAccount(header, address, []))
      note(sameAccount(header, address, [...proof, proof[proof.length - 1] as Uint8Array]))
      if (proof.length >= 3)
        note(sameAccount(header, address, [proof[0], proof[2], proof[1], ...proof.slice(3)] as Uint8Array[]))
      // Claims: altered, absent, present where there is none.
      note(sameAccount(header, address, proof, accountToBytes({ balance: 999_999n, nonce: 0n })))
      note(sameAccount(header, address, proof, new Uint8Array(0)))
      note(sameAccount(header, address, proof, new Uint8Array([0xff])))
      // Another address's proof for this one.
      note(sameAccount(header, address, await trie.prove(root, addresses[(i + 1) % 300] as Uint8Array)))
    }
    note(
      sameAccount(
        header,
        addresses[0] as Uint8Array,
        Array.from({ length: LIGHT_PROOF_NODES_MAX + 1 }, () => new Uint8Array(1)),
      ),
    )
    note(sameAccount(header, addresses[0] as Uint8Array, [new Uint8Array(600)]))
    note(sameAccount(header, addresses[0] as Uint8Array, [new Uint8Array([1, 2, 3])]))
    expect(run(() => web.verifyAccountProof(header, new Uint8Array(19), []))).toEqual({ ok: false, code: 'RangeError' })
    // The tampering reached the walk's every failure, not just the first check.
    for (const code of ['ok', 'PROOF_BAD_ROOT', 'PROOF_BAD_HASH', 'PROOF_TRUNCATED', 'PROOF_EXTRA_NODES'])
      expect(codes).toContain(code)
    for (const code of ['PROOF_ACCOUNT_MISMATCH', 'PROOF_TOO_LARGE']) expect(codes).toContain(code)
  })

  it('on random byte flips and truncations of a real proof (fast-check, fixed seed)', async () => {
    const header = source.chain.head.header
    const proof = await proofAt(header.height)
    fc.assert(
      fc.property(
        fc.nat(proof.length - 1),
        fc.nat(1000),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (n, at, mask, cut) => {
          const node = proof[n] as Uint8Array
          const lying = [...proof]
          lying[n] = cut ? node.subarray(0, at % node.length) : flip(node, at, mask)
          const got = sameAccount(header, alice, lying)
          expect(got.ok).toBe(false)
        },
      ),
      { seed: 14, numRuns: 300 },
    )
  })

  it('on honest tx proofs, and on tampered ones', () => {
    const codes = new Set<string>()
    const note = (o: Outcome): Outcome => {
      codes.add(o.ok ? 'ok' : o.code)
      return o
    }
    for (const block of blocks.filter((b) => b.txs.length > 0)) {
      const leaves = block.txs.map((t) => t.hash)
      for (const [i, tx] of block.txs.entries()) {
        const path = merkleProof(leaves, i)
        expect(note(sameTx(block.header, tx.bytes, i, leaves.length, path))).toEqual({ ok: true, value: tx.id })
        note(sameTx(block.header, tx.bytes, i + 1, leaves.length, path))
        note(sameTx(block.header, tx.bytes, i, leaves.length + 1, path))
        note(sameTx(block.header, tx.bytes, -1, leaves.length, path))
        note(sameTx(block.header, tx.bytes, i, leaves.length, [...path, new Uint8Array(32)]))
        for (const [p, sibling] of path.entries()) {
          const lying = [...path]
          lying[p] = flip(sibling, p)
          note(sameTx(block.header, tx.bytes, i, leaves.length, lying))
        }
        note(sameTx(block.header, tx.bytes, i, leaves.length, [new Uint8Array(31)]))
        note(sameTx(headerAt(block.height === 30 ? 29 : block.height + 1), tx.bytes, i, leaves.length, path))
        note(sameTx(block.header, transfer(2, 3, 0n).bytes, i, leaves.length, path))
        note(sameTx(block.header, flip(tx.bytes, 5), i, leaves.length, path))
        note(sameTx(block.header, new Uint8Array([0xff, 1]), i, leaves.length, path))
        note(
          sameTx(
            block.header,
            tx.bytes,
            i,
            leaves.length,
            Array.from({ length: 33 }, () => new Uint8Array(32)),
          ),
        )
      }
    }
    for (const code of ['ok', 'TX_NOT_IN_BLOCK', 'TX_MALFORMED', 'PROOF_BAD_NODE', 'PROOF_TOO_LARGE'])
      expect(codes).toContain(code)
  })

  it('verifies Merkle paths as ledger/merkle.ts does, for every leaf of trees of 1 to 40 leaves', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => sha256(new Uint8Array([size, i])))
      const root = merkleRoot(leaves)
      for (let i = 0; i < size; i++) {
        const path = merkleProof(leaves, i)
        const leaf = leaves[i] as Uint8Array
        expect(web.verifyMerkleProof(leaf, i, size, path, root)).toBe(true)
        expect(web.verifyMerkleProof(leaf, (i + 1) % size, size, path, root)).toBe(
          verifyMerkleProof(leaf, (i + 1) % size, size, path, root),
        )
        expect(web.verifyMerkleProof(leaf, i, size + 1, path, root)).toBe(false)
      }
    }
  })
})

describe('the JSON checks of the page', () => {
  const accountAnswer = async (height: number, address = alice): Promise<web.AccountProofAnswer> => {
    const header = headerAt(height)
    const proof = await proofAt(height, address)
    const account = verifyAccountProof(header, address, proof)
    return {
      address: formatAddress(address),
      blockHash: header.id,
      height,
      header: toHex(header.bytes),
      proof: proof.map(toHex),
      account: account ? toHex(accountToBytes(account)) : '',
    }
  }

  it('accepts an honest account answer at the trusted block, and names the header', async () => {
    const answer = await accountAnswer(20)
    const checked = web.checkAccountAnswer(answer, formatAddress(alice), headerAt(20).id)
    expect(checked).toMatchObject({ ok: true, header: { hash: headerAt(20).id, height: 20 } })
    expect(checked.ok && checked.account).toEqual(verifyAccountProof(headerAt(20), alice, await proofAt(20)))
    const none = web.checkAccountAnswer(await accountAnswer(20, nobody), formatAddress(nobody), headerAt(20).id)
    expect(none).toMatchObject({ ok: true, account: undefined })
  })

  it('refuses another header, an altered balance, a flipped proof node, and garbage', async () => {
    const answer = await accountAnswer(20)
    const address = formatAddress(alice)
    const code = (a: web.AccountProofAnswer, trusted = headerAt(20).id) => {
      const r = web.checkAccountAnswer(a, address, trusted)
      return r.ok ? 'ok' : r.code
    }
    expect(code(answer, headerAt(21).id)).toBe('PROOF_WRONG_HEADER')
    expect(code({ ...answer, header: toHex(headerAt(21).bytes) })).toBe('PROOF_WRONG_HEADER')
    expect(code({ ...answer, header: 'ff00' })).toBe('PROOF_WRONG_HEADER')
    const richer = toHex(accountToBytes({ balance: 10n ** 15n, nonce: 0n }))
    expect(code({ ...answer, account: richer })).toBe('PROOF_ACCOUNT_MISMATCH')
    const last = answer.proof.length - 1
    const flipped = answer.proof.map((n, i) => (i === last ? toHex(flip(web.fromHex(n), 4)) : n))
    expect(code({ ...answer, proof: flipped })).toBe('PROOF_BAD_HASH')
    expect(code({ ...answer, proof: ['zz'] })).toBe('MALFORMED')
    expect(code({ ...answer, proof: 'nope' as unknown as string[] })).toBe('MALFORMED')
    expect(web.checkAccountAnswer(answer, 'pc1nope', headerAt(20).id)).toMatchObject({ ok: false, code: 'MALFORMED' })
  })

  it('accepts an honest tx answer and refuses a wrong tx, header or path', () => {
    const block = blocks[10] as Block
    const tx = block.txs[0] as NonNullable<Block['txs'][number]>
    const answer: web.TxProofAnswer = {
      hash: tx.id,
      blockHash: block.id,
      height: block.height,
      header: toHex(block.header.bytes),
      tx: toHex(tx.bytes),
      index: 0,
      txCount: block.txs.length,
      path: merkleProof(
        block.txs.map((t) => t.hash),
        0,
      ).map(toHex),
    }
    expect(web.checkTxAnswer(answer, tx.id, block.id)).toMatchObject({
      ok: true,
      header: { hash: block.id, height: block.height },
      tx: { id: tx.id },
    })
    const code = (a: web.TxProofAnswer, asked = tx.id, trusted = block.id) => {
      const r = web.checkTxAnswer(a, asked, trusted)
      return r.ok ? 'ok' : r.code
    }
    expect(code(answer, 'ab'.repeat(32))).toBe('TX_WRONG_TX')
    expect(code(answer, tx.id, headerAt(3).id)).toBe('PROOF_WRONG_HEADER')
    expect(code({ ...answer, index: 1 })).toBe('TX_NOT_IN_BLOCK')
    expect(code({ ...answer, tx: toHex(transfer(2, 3, 0n).bytes) })).toBe('TX_NOT_IN_BLOCK')
  })
})

describe('a browser bundle of it', () => {
  it('builds for the browser with no node: import and verifies with no Buffer, process or require in scope', async () => {
    const out = await build({
      entryPoints: [new URL('../../../src/light/verify-browser.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'verifyBrowser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = Object.keys(out.metafile.inputs)
    expect(inputs.some((p) => p.startsWith('node:') || /ledger\/crypto\.ts|ledger\/merkle\.ts/.test(p))).toBe(false)
    const code = out.outputFiles[0]?.text as string
    const header = headerAt(20)
    const proof = await proofAt(20)
    const account = verifyAccountProof(header, alice, proof)
    const answer = {
      address: formatAddress(alice),
      blockHash: header.id,
      height: 20,
      header: toHex(header.bytes),
      proof: proof.map(toHex),
      account: toHex(accountToBytes(account as NonNullable<typeof account>)),
    }
    // What a page has (and Node has too): the encoding API; nothing of Node's own.
    const sandbox: Record<string, unknown> = {
      TextEncoder,
      TextDecoder,
      answer,
      address: formatAddress(alice),
      trusted: header.id,
    }
    const result = runInNewContext(
      `${code}
      ;(() => {
        const honest = verifyBrowser.checkAccountAnswer(answer, address, trusted)
        const bad = verifyBrowser.checkAccountAnswer({ ...answer, account: '08ff01' }, address, trusted)
        return {
          buffer: typeof Buffer, process: typeof process, require: typeof require,
          ok: honest.ok, balance: honest.ok ? String(honest.account.balance) : honest.message,
          height: honest.ok ? honest.header.height : -1, badCode: bad.ok ? 'ok' : bad.code,
        }
      })()`,
      sandbox,
    )
    expect(result).toEqual({
      buffer: 'undefined',
      process: 'undefined',
      require: 'undefined',
      ok: true,
      balance: String(account?.balance),
      height: 20,
      badCode: 'PROOF_ACCOUNT_MISMATCH',
    })
  })
})

function never(): never {
  throw new Error('unreachable')
}
