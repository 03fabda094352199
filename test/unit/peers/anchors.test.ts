import { describe, expect, it } from 'vitest'
import {
  ANCHORS_FILE,
  ANCHORS_MAX,
  AnchorsFileError,
  anchorsDocument,
  parseAnchorsFile,
} from '../../../src/peers/anchors.js'
import { seededRng } from '../../../src/util/rng.js'

const idA = '12D3KooWGRUVh2UmMSU6prpNqgCXM4f2dV6DhcS6Q4cq7qmtFiWz'
const idB = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const idC = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const a = { peer: idA, addr: '/ip4/1.2.3.4/tcp/9000' }
const b = { peer: idB, addr: '/ip6/2001:db8::1/tcp/9000/ws' }
const c = { peer: idC, addr: '/dns4/node.example/tcp/9000' }

describe('anchors file', () => {
  it('round-trips, keeping at most 2 distinct peers', () => {
    expect(ANCHORS_FILE).toBe('anchors.json')
    expect(ANCHORS_MAX).toBe(2)
    const doc = anchorsDocument([a, b, c])
    expect(doc).toEqual({ version: 1, anchors: [a, b] })
    expect(parseAnchorsFile(JSON.parse(JSON.stringify(doc)), 'x')).toEqual([a, b])
    expect(anchorsDocument([a, { ...a, addr: '/ip4/5.6.7.8/tcp/1' }, c]).anchors).toEqual([a, c])
    expect(anchorsDocument([])).toEqual({ version: 1, anchors: [] })
  })

  it('refuses a document that is not an anchors file', () => {
    for (const doc of [null, 3, 'x', [], {}, { version: 2, anchors: [] }, { version: 1 }, { version: 1, anchors: {} }])
      expect(() => parseAnchorsFile(doc, '/data/anchors.json')).toThrow(AnchorsFileError)
    expect(() => parseAnchorsFile({}, '/data/anchors.json')).toThrow(/\/data\/anchors.json/)
  })

  it('drops malformed entries and extra fields, dedupes peers, and stops at 2', () => {
    const doc = {
      version: 1,
      anchors: [
        null,
        { peer: 'not a peer id', addr: a.addr },
        { peer: idA, addr: `/ip4/1.2.3.4/tcp/9000/p2p/${idA}` },
        { peer: idA, addr: '/ip4/1.2.3.4/udp/9000/quic' },
        { peer: idA, addr: 7 },
        { ...a, extra: 'x'.repeat(10) },
        { ...a, addr: '/ip4/9.9.9.9/tcp/1' },
        b,
        c,
      ],
    }
    expect(parseAnchorsFile(doc, 'x')).toEqual([a, b])
  })

  it('reads only the head of a huge anchors array', () => {
    let looked = 0
    const junk = Array.from({ length: 200_000 }, () => ({
      get peer() {
        looked++
        return 'x'
      },
      addr: 'y',
    }))
    expect(parseAnchorsFile({ version: 1, anchors: [...junk, a] }, 'x')).toEqual([])
    // each entry looked at is read a few times at most; all 200,000 would be read without the bound
    expect(looked).toBeGreaterThan(0)
    expect(looked).toBeLessThanOrEqual(ANCHORS_MAX * 8 * 4)
  })

  it('never throws anything but AnchorsFileError on random documents', () => {
    const rng = seededRng(10)
    const values = [null, 0, -1, 'x', idA, a.addr, [], {}, true, 1e308]
    const pick = () => values[rng.int(values.length)]
    for (let i = 0; i < 1_000; i++) {
      const doc: Record<string, unknown> = { version: rng.int(3) === 0 ? pick() : 1 }
      if (rng.int(4) > 0)
        doc.anchors = Array.from({ length: rng.int(5) }, () =>
          rng.int(2) === 0 ? pick() : { peer: rng.int(2) ? idA : pick(), addr: rng.int(2) ? a.addr : pick() },
        )
      try {
        for (const anchor of parseAnchorsFile(doc, 'x')) expect(anchor).toEqual(a)
      } catch (err) {
        expect(err).toBeInstanceOf(AnchorsFileError)
      }
    }
  })
})
