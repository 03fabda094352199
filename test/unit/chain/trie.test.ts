import { createMPT } from '@ethereumjs/mpt'
import { describe, expect, it } from 'vitest'
import type { TrieNode } from '../../../src/chain/mpt/nodes.js'
import { StateProofError, StateTrie, verifyAccountProof } from '../../../src/chain/trie.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { accountToBytes } from '../../../src/ledger/state.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { BoundedCache } from '../../../src/util/bounded-cache.js'
import { toHex } from '../../../src/util/bytes.js'

const address = (i: number) => sha256(new Uint8Array([i, i >> 8])).subarray(0, 20)

async function trieWith(count: number) {
  const store = new MemoryStore()
  await store.open()
  const trie = await StateTrie.open(store)
  const changes = Array.from({ length: count }, (_, i) => ({
    address: address(i),
    account: { balance: BigInt(1000 + i), nonce: BigInt(i % 3) },
  }))
  const root = await trie.update(trie.emptyRoot, changes)
  await store.batch(trie.takeWrites())
  return { store, trie, root }
}

describe('state trie proofs', () => {
  it('proves an account in the state, and the proof gives its balance and nonce', async () => {
    const { trie, root } = await trieWith(500)
    for (const i of [0, 17, 499]) {
      const account = await verifyAccountProof(root, address(i), await trie.prove(root, address(i)))
      expect(account).toEqual({ balance: BigInt(1000 + i), nonce: BigInt(i % 3) })
    }
  })

  it('proves an account absent', async () => {
    const { trie, root } = await trieWith(500)
    const absent = address(5000)
    expect(await verifyAccountProof(root, absent, await trie.prove(root, absent))).toBeUndefined()
  })

  it('proves against an older root after later updates, since nodes are never pruned', async () => {
    const { store, trie, root } = await trieWith(200)
    const next = await trie.update(root, [{ address: address(3), account: { balance: 1n, nonce: 9n } }])
    await store.batch(trie.takeWrites())
    expect(await verifyAccountProof(root, address(3), await trie.prove(root, address(3)))).toEqual({
      balance: 1003n,
      nonce: 0n,
    })
    expect(await verifyAccountProof(next, address(3), await trie.prove(next, address(3)))).toEqual({
      balance: 1n,
      nonce: 9n,
    })
  })

  it('rejects a proof for another root, a tampered proof, and a proof passed off for another address', async () => {
    const { trie, root } = await trieWith(300)
    const proof = await trie.prove(root, address(7))
    const otherRoot = sha256(root)
    await expect(verifyAccountProof(otherRoot, address(7), proof)).rejects.toBeInstanceOf(StateProofError)
    const tampered = proof.map((node) => node.slice())
    const last = tampered.at(-1) as Uint8Array
    last.set([(last.at(-1) as number) ^ 1], last.length - 1)
    await expect(verifyAccountProof(root, address(7), tampered)).rejects.toBeInstanceOf(StateProofError)
    // The same nodes prove nothing about another account that is present: neither its value nor its absence.
    await expect(verifyAccountProof(root, address(8), proof)).rejects.toBeInstanceOf(StateProofError)
  })

  it('reopens over the same store with a cold cache and continues from a stored root', async () => {
    const { store, trie, root } = await trieWith(300)
    const change = [{ address: address(42), account: { balance: 5n, nonce: 1n } }]
    const warm = await trie.update(root, change)
    trie.discardWrites()
    const reopened = await StateTrie.open(store, 0)
    expect(await reopened.update(root, change)).toEqual(warm)
  })

  it('shares one decoded-node cache between tries over different stores: the same roots, the nodes read once', async () => {
    const { store, root } = await trieWith(300)
    const shared = new BoundedCache<string, TrieNode>(10_000)
    const reads = [0, 0]
    const tries = await Promise.all(
      [0, 1].map(async (i) => {
        const copy = store.copy()
        await copy.open()
        const getMany = copy.getMany.bind(copy)
        copy.getMany = (keys) => {
          reads[i] = (reads[i] as number) + keys.length
          return getMany(keys)
        }
        return StateTrie.open(copy, 100_000, shared)
      }),
    )
    const change = [{ address: address(42), account: { balance: 5n, nonce: 1n } }]
    const first = await tries[0]!.update(root, change)
    const second = await tries[1]!.update(root, change)
    expect(toHex(second)).toBe(toHex(first))
    expect(reads[0]).toBeGreaterThan(0)
    expect(reads[1]).toBe(0)
    // Each trie still writes the nodes it built, into its own store's batch.
    expect(tries[1]!.takeWrites().length).toBe(tries[0]!.takeWrites().length)
  })

  it('holds no leaf for an empty account: zero balance and nonce is absent, as @ethereumjs/mpt has it', async () => {
    const { store, trie, root } = await trieWith(50)
    // Account 3 empties, and a new address receives an empty account: both are absent after.
    const next = await trie.update(root, [
      { address: address(3), account: { balance: 0n, nonce: 0n } },
      { address: address(900), account: { balance: 0n, nonce: 0n } },
      { address: address(4), account: { balance: 7n, nonce: 1n } },
    ])
    await store.batch(trie.takeWrites())
    const reference = await createMPT({ useKeyHashing: true, useKeyHashingFunction: sha256 })
    for (let i = 0; i < 50; i++) {
      if (i === 3) continue
      const account = i === 4 ? { balance: 7n, nonce: 1n } : { balance: BigInt(1000 + i), nonce: BigInt(i % 3) }
      await reference.put(address(i), accountToBytes(account))
    }
    expect(toHex(next)).toBe(toHex(reference.root()))
    expect(await verifyAccountProof(next, address(3), await trie.prove(next, address(3)))).toBeUndefined()
    expect(await verifyAccountProof(next, address(900), await trie.prove(next, address(900)))).toBeUndefined()
    // Later blocks go on from that root through the batched update.
    const after = await trie.update(next, [{ address: address(5), account: { balance: 1n, nonce: 1n } }])
    await reference.put(address(5), accountToBytes({ balance: 1n, nonce: 1n }))
    expect(toHex(after)).toBe(toHex(reference.root()))
  })

  it('computes the root of a block that empties an account right while proofs are made at the same time', async () => {
    const { store, trie, root } = await trieWith(60)
    const changes = [
      { address: address(3), account: { balance: 0n, nonce: 0n } },
      ...Array.from({ length: 20 }, (_, i) => ({ address: address(10 + i), account: { balance: 5n, nonce: 9n } })),
    ]
    const alone = await StateTrie.open(store)
    const expected = await alone.update(root, changes)
    alone.discardWrites()
    // A light client asks for proofs at another root while the block that empties account 3 is applied.
    const other = await trie.update(root, [{ address: address(50), account: { balance: 1n, nonce: 1n } }])
    await store.batch(trie.takeWrites())
    const updating = trie.update(root, changes)
    const proofs: Array<Promise<Uint8Array[]>> = []
    for (let i = 0; i < 40; i++) {
      proofs.push(trie.prove(other, address(i)))
      await Promise.resolve()
    }
    expect(toHex(await updating)).toBe(toHex(expected))
    await Promise.all(proofs)
  })
})
