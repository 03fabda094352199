import { type NestedUint8Array, RLP } from '@ethereumjs/rlp'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeHexPrefix } from '../../../../src/chain/mpt/nibbles.js'
import { encodeLeaf } from '../../../../src/chain/mpt/nodes.js'
import { encodeRlp, type RlpItem } from '../../../../src/chain/mpt/rlp.js'

const { tree } = fc.letrec<{ tree: RlpItem; node: NestedUint8Array }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 300 }), tie('node')),
  node: fc.array(tie('tree'), { maxLength: 20 }) as fc.Arbitrary<NestedUint8Array>,
}))

describe('trie node RLP', () => {
  it('encodes what @ethereumjs/rlp encodes, byte for byte', () => {
    fc.assert(
      fc.property(tree, (item) => {
        expect(encodeRlp(item)).toEqual(RLP.encode(item))
      }),
      { numRuns: 500 },
    )
  })

  it('takes single low bytes as themselves and long payloads with a length of their length', () => {
    expect(encodeRlp(new Uint8Array([0x7f]))).toEqual(new Uint8Array([0x7f]))
    expect(encodeRlp(new Uint8Array([0x80]))).toEqual(new Uint8Array([0x81, 0x80]))
    const long = new Uint8Array(70_000)
    expect(encodeRlp(long).subarray(0, 4)).toEqual(new Uint8Array([0xb8 + 2, 0x01, 0x11, 0x70]))
    expect(encodeRlp([new Uint8Array(56)]).subarray(0, 2)).toEqual(new Uint8Array([0xf8, 58]))
  })
})

describe('leaf encoding', () => {
  it('gives the bytes @ethereumjs/rlp gives for [hexPrefix(path, leaf), value]', () => {
    const nibbles = fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 64 }).map((a) => Uint8Array.from(a))
    fc.assert(
      fc.property(nibbles, fc.uint8Array({ maxLength: 260 }), (path, value) => {
        expect(encodeLeaf(path, value)).toEqual(RLP.encode([encodeHexPrefix(path, true), value]))
      }),
      { numRuns: 2000 },
    )
  })
})
