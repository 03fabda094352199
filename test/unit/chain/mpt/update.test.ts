import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { MapDB } from '@ethereumjs/util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_ROOT, type TrieNode } from '../../../../src/chain/mpt/nodes.js'
import { type TrieWrite, updateTrie } from '../../../../src/chain/mpt/update.js'
import { sha256 } from '../../../../src/ledger/crypto.js'
import { toHex } from '../../../../src/util/bytes.js'

/** Every node written, by hash hex, as a node source; with a decoded cache. */
function memoryNodes() {
  const nodes = new Map<string, Uint8Array>()
  const decoded = new Map<string, TrieNode>()
  return {
    nodes,
    decoded,
    source: { getMany: async (hashes: readonly Uint8Array[]) => hashes.map((h) => nodes.get(toHex(h))) },
    cache: { get: (hex: string) => decoded.get(hex), set: (hex: string, n: TrieNode) => void decoded.set(hex, n) },
    write: (_hash: Uint8Array, hex: string, bytes: Uint8Array) => void nodes.set(hex, bytes),
  }
}

/** The reference: @ethereumjs/mpt with SHA-256, fed one put at a time. */
async function reference(): Promise<MerklePatriciaTrie> {
  return createMPT({ useKeyHashing: false, useKeyHashingFunction: sha256 })
}

const batchesOf = (keyLength: number) =>
  fc.array(
    fc.array(
      fc.record({
        key: fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
        value: fc.uint8Array({ minLength: 1, maxLength: 40 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    { minLength: 1, maxLength: 6 },
  )

describe('batched trie update', () => {
  it('is the empty root for the empty trie, as @ethereumjs/mpt computes it', async () => {
    expect(toHex(EMPTY_ROOT)).toBe(toHex((await reference()).root()))
  })

  // 1-byte keys and short values make nodes under 32 bytes, which are embedded in their parent.
  for (const keyLength of [1, 2, 32]) {
    it(`gives @ethereumjs/mpt's root after every batch (${keyLength}-byte keys)`, async () => {
      await fc.assert(
        // `cold`: the decoded-node cache is emptied before each batch, so every node is loaded again.
        fc.asyncProperty(batchesOf(keyLength), fc.boolean(), async (batches, cold) => {
          const ref = await reference()
          const mem = memoryNodes()
          let root = EMPTY_ROOT
          for (const batch of batches) {
            for (const { key, value } of batch) await ref.put(key, value)
            if (cold) mem.decoded.clear()
            root = await updateTrie(root, batch, mem.source, mem.cache, mem.write)
            expect(toHex(root)).toBe(toHex(ref.root()))
          }
          // Every node a reader needs was written: a fresh reader over them finds each key's last value.
          const last = new Map<string, Uint8Array>()
          for (const batch of batches) for (const { key, value } of batch) last.set(toHex(key), value)
          const reader = await createMPT({
            useKeyHashing: false,
            useKeyHashingFunction: sha256,
            db: new MapDB<string, Uint8Array>(new Map(mem.nodes)),
            valueEncoding: 'view',
            root,
          })
          for (const [hex, value] of last)
            expect(toHex((await reader.get(Buffer.from(hex, 'hex'))) ?? new Uint8Array())).toBe(toHex(value))
        }),
        { numRuns: keyLength === 32 ? 40 : 300 },
      )
    })
  }

  it('loads nodes from the source when the decoded cache is cold', async () => {
    const mem = memoryNodes()
    const writes: TrieWrite[] = Array.from({ length: 300 }, (_, i) => ({
      key: sha256(new Uint8Array([i, i >> 8])),
      value: new Uint8Array([1, i & 255]),
    }))
    const root = await updateTrie(EMPTY_ROOT, writes, mem.source, mem.cache, mem.write)
    mem.decoded.clear()
    const reads: number[] = []
    const counting = {
      getMany: async (h: readonly Uint8Array[]) => {
        reads.push(h.length)
        return mem.source.getMany(h)
      },
    }
    const next = await updateTrie(
      root,
      [{ key: sha256(new Uint8Array([7, 0])), value: new Uint8Array([9]) }],
      counting,
      mem.cache,
      mem.write,
    )
    const ref = await reference()
    for (const w of writes) await ref.put(w.key, w.value)
    await ref.put(sha256(new Uint8Array([7, 0])), new Uint8Array([9]))
    expect(toHex(next)).toBe(toHex(ref.root()))
    // One read per level of the path, one node each.
    expect(reads.length).toBeGreaterThan(1)
    expect(reads.every((n) => n === 1)).toBe(true)
  })

  it('throws StoreCorruptError naming the key for a missing node', async () => {
    const mem = memoryNodes()
    const root = await updateTrie(
      EMPTY_ROOT,
      [{ key: new Uint8Array(32), value: new Uint8Array(40).fill(1) }],
      mem.source,
      mem.cache,
      mem.write,
    )
    mem.nodes.clear()
    mem.decoded.clear()
    await expect(
      updateTrie(
        root,
        [{ key: new Uint8Array(32).fill(1), value: new Uint8Array([1]) }],
        mem.source,
        mem.cache,
        mem.write,
      ),
    ).rejects.toMatchObject({ name: 'StoreCorruptError', key: `s/${toHex(root)}` })
  })

  it('throws StoreCorruptError naming the key for a stored node that is not a trie node', async () => {
    const mem = memoryNodes()
    const root = await updateTrie(
      EMPTY_ROOT,
      [{ key: new Uint8Array(32), value: new Uint8Array(40).fill(1) }],
      mem.source,
      mem.cache,
      mem.write,
    )
    mem.decoded.clear()
    for (const bad of [
      new Uint8Array([0xff]),
      RLP.encode([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]),
      RLP.encode([new Uint8Array([0x40]), new Uint8Array([1])]),
    ]) {
      mem.nodes.set(toHex(root), bad)
      await expect(
        updateTrie(
          root,
          [{ key: new Uint8Array(32).fill(1), value: new Uint8Array([1]) }],
          mem.source,
          mem.cache,
          mem.write,
        ),
      ).rejects.toMatchObject({ name: 'StoreCorruptError', key: `s/${toHex(root)}` })
    }
  })

  it('rejects keys of mixed length and empty values', async () => {
    const mem = memoryNodes()
    await expect(
      updateTrie(
        EMPTY_ROOT,
        [
          { key: new Uint8Array(2), value: new Uint8Array([1]) },
          { key: new Uint8Array(3), value: new Uint8Array([1]) },
        ],
        mem.source,
        mem.cache,
        mem.write,
      ),
    ).rejects.toBeInstanceOf(RangeError)
    await expect(
      updateTrie(EMPTY_ROOT, [{ key: new Uint8Array(2), value: new Uint8Array() }], mem.source, mem.cache, mem.write),
    ).rejects.toBeInstanceOf(RangeError)
  })
})
