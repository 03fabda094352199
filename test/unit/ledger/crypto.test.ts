import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, hashFromHex, keyPairFromSeed, sha256, sign, verify } from '../../../src/ledger/crypto.js'
import { fromHex, toHex } from '../../../src/util/bytes.js'
import { bytesOf, hex, thrownBy } from './fixtures.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('sha256', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(hex(sha256())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(hex(sha256(text('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('hashes its parts as one concatenated message', () => {
    expect(hex(sha256(text('a'), text('b'), new Uint8Array(0), text('c')))).toBe(hex(sha256(text('abc'))))
  })

  it('gives the same digest for parts joined in one call or streamed (inputs either side of 4 KiB)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 4 }), (parts) => {
        const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
        let at = 0
        for (const p of parts) {
          joined.set(p, at)
          at += p.length
        }
        expect(hex(sha256(...parts))).toBe(hex(sha256(joined)))
        expect(sha256(...parts)).toBeInstanceOf(Uint8Array)
        expect(sha256(...parts).byteLength).toBe(32)
      }),
    )
  })

  it("equals node:crypto's digest, and digests kept from earlier calls stay as they were", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 3 }), { maxLength: 6 }),
        (calls) => {
          const kept = calls.map((parts) => sha256(...parts))
          calls.forEach((parts, i) => {
            const h = createHash('sha256')
            for (const p of parts) h.update(p)
            expect(Buffer.from(kept[i] as Uint8Array).toString('hex')).toBe(h.digest('hex'))
          })
        },
      ),
      { seed: 3, numRuns: 200 },
    )
  })
})

describe('hex', () => {
  it('toHex writes what a Buffer writes, short arrays and long, views at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), fc.nat({ max: 5 }), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length))
        expect(toHex(view)).toBe(Buffer.from(view).toString('hex'))
      }),
      { seed: 5, numRuns: 300 },
    )
  })

  it('hashFromHex reads a digest back to its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const hexDigits = Buffer.from(bytes).toString('hex')
        expect([...hashFromHex(hexDigits)]).toEqual([...bytes])
        expect([...hashFromHex(hexDigits.toUpperCase())]).toEqual([...bytes])
      }),
      { seed: 6, numRuns: 200 },
    )
  })
})

describe('Ed25519', () => {
  // RFC 8032, section 7.1, TEST 1 and TEST 2
  const rfc = [
    {
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature:
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature:
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
  ]

  it.each(rfc)('matches RFC 8032 for public key $public', (v) => {
    const key = keyPairFromSeed(fromHex(v.secret))
    expect(hex(key.publicKey)).toBe(v.public)
    const sig = sign(key.secretKey, fromHex(v.message))
    expect(hex(sig)).toBe(v.signature)
    expect(verify(key.publicKey, fromHex(v.message), sig)).toBe(true)
  })

  it('keyPairFromSeed is deterministic and refuses a seed that is not 32 bytes', () => {
    const seed = bytesOf(32, 0x11)
    const a = keyPairFromSeed(seed)
    const b = keyPairFromSeed(new Uint8Array(seed))
    expect(hex(a.publicKey)).toBe(hex(b.publicKey))
    expect(hex(a.secretKey)).toBe(hex(seed))
    expect(hex(keyPairFromSeed(bytesOf(32, 0x12)).publicKey)).not.toBe(hex(a.publicKey))
    for (const n of [0, 31, 33, 64]) expect(thrownBy(() => keyPairFromSeed(bytesOf(n, 1)))).toBeInstanceOf(RangeError)
  })

  it('generateKeyPair yields a working 32-byte key pair, reproducible from its seed', () => {
    const key = generateKeyPair()
    expect(key.secretKey.byteLength).toBe(32)
    expect(key.publicKey.byteLength).toBe(32)
    expect(hex(keyPairFromSeed(key.secretKey).publicKey)).toBe(hex(key.publicKey))
    const msg = text('hello')
    expect(verify(key.publicKey, msg, sign(key.secretKey, msg))).toBe(true)
  })

  it('verify refuses a changed message, a changed signature and another key', () => {
    const key = keyPairFromSeed(bytesOf(32, 1))
    const other = keyPairFromSeed(bytesOf(32, 2))
    const msg = text('pay 10 to bob')
    const sig = sign(key.secretKey, msg)
    expect(verify(key.publicKey, msg, sig)).toBe(true)
    expect(verify(key.publicKey, text('pay 11 to bob'), sig)).toBe(false)
    expect(verify(other.publicKey, msg, sig)).toBe(false)
    for (let i = 0; i < 64; i += 7) {
      const bad = new Uint8Array(sig)
      bad[i] = (bad[i] ?? 0) ^ 0x01
      expect(verify(key.publicKey, msg, bad)).toBe(false)
    }
  })

  it('verify refuses a non-canonical S (signature malleability)', () => {
    // S + L is the same scalar mod L; a strict verifier must refuse it
    const L = (1n << 252n) + 27742317777372353535851937790883648493n
    const key = keyPairFromSeed(bytesOf(32, 3))
    const msg = text('m')
    const sig = sign(key.secretKey, msg)
    const s = BigInt(`0x${hex(sig.subarray(32).slice().reverse())}`)
    const malleated = s + L
    expect(malleated < 1n << 256n).toBe(true)
    const sBytes = fromHex(malleated.toString(16).padStart(64, '0')).reverse()
    const bad = new Uint8Array(64)
    bad.set(sig.subarray(0, 32), 0)
    bad.set(sBytes, 32)
    expect(verify(key.publicKey, msg, bad)).toBe(false)
  })

  it('verify never throws on garbage: wrong lengths, invalid points, random bytes', () => {
    const key = keyPairFromSeed(bytesOf(32, 4))
    const msg = text('x')
    const sig = sign(key.secretKey, msg)
    for (const n of [0, 1, 31, 33, 64]) expect(verify(bytesOf(n, 5), msg, sig)).toBe(false)
    for (const n of [0, 1, 63, 65, 128]) expect(verify(key.publicKey, msg, bytesOf(n, 5))).toBe(false)
    // y >= p (not a canonical field element), and small-order / odd encodings
    const notAPoint = [bytesOf(32, 0xff), fromHex(`02${'00'.repeat(31)}`), bytesOf(32, 0)]
    for (const pub of notAPoint) {
      expect(verify(pub, msg, sig)).toBe(false)
      expect(verify(pub, msg, sig)).toBe(false) // and again, from the key cache
    }
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 16 }),
        (pub, signature, message) => {
          expect(verify(pub, message, signature)).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (pub, s) => {
          expect(verify(pub, msg, s)).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('verify accepts a subarray view of a larger buffer', () => {
    const key = keyPairFromSeed(bytesOf(32, 6))
    const msg = text('view')
    const sig = sign(key.secretKey, msg)
    const big = new Uint8Array(200)
    big.set(key.publicKey, 10)
    big.set(sig, 100)
    expect(verify(big.subarray(10, 42), msg, big.subarray(100, 164))).toBe(true)
  })
})
