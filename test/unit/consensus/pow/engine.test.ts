import { describe, expect, it } from 'vitest'
import type { HeaderTree } from '../../../../src/consensus/engine.js'
import { PowEngine } from '../../../../src/consensus/pow/engine.js'
import { workOf } from '../../../../src/consensus/pow/target.js'
import { Header, type HeaderFields } from '../../../../src/ledger/block.js'
import { VerifyError } from '../../../../src/ledger/errors.js'
import { devnetGenesis } from '../../../../src/ledger/genesis.js'
import { bigintToBytes, bytesToBigint } from '../../../../src/util/bytes.js'
import { expectVerifyError, headerFields, hex, thrownBy } from '../../ledger/fixtures.js'

const T = 1n << 248n // about 1 in 256 hashes
const params = devnetGenesis({
  retargetInterval: 10,
  blockTimeMs: 1_000,
  maxAdjustFactor: 4,
  initialTarget: T,
  powLimit: 1n << 252n,
}).params
const engine = new PowEngine(params)

/** Headers 0..n-1, `dtMs` apart, all at `target` (their own proof of work is not checked here). */
function chain(n: number, dtMs: number, target = T): Header[] {
  const headers: Header[] = []
  for (let i = 0; i < n; i++) {
    headers.push(
      Header.fromFields(
        headerFields({
          height: BigInt(i),
          parentHash: i === 0 ? new Uint8Array(32) : headers[i - 1]!.hash,
          timestamp: BigInt(1_000_000 + i * dtMs),
          target: bigintToBytes(target),
        }),
      ),
    )
  }
  return headers
}

function treeOf(headers: readonly Header[], asked: number[] = []): HeaderTree {
  return {
    ancestor: (_header, height) => {
      asked.push(height)
      return headers[height]
    },
  }
}

function childFields(parent: Header, target: bigint, overrides: Partial<HeaderFields> = {}): HeaderFields {
  return headerFields({
    height: parent.fields.height + 1n,
    parentHash: parent.hash,
    timestamp: parent.fields.timestamp + 1_000n,
    target: bigintToBytes(target),
    ...overrides,
  })
}

async function sealed(fields: HeaderFields): Promise<Header> {
  const header = await engine.seal(fields)
  if (header === null) throw new Error('seal gave up')
  return header
}

/** Fields (varying the timestamp) whose nonce-0 hash is above `target`, so sealing must search. */
function fieldsNeedingWork(parent: Header, target: bigint): HeaderFields {
  for (let dt = 1_000n; ; dt++) {
    const fields = childFields(parent, target, { timestamp: parent.fields.timestamp + dt })
    if (bytesToBigint(Header.fromFields(fields).hash) > target) return fields
  }
}

describe('PowEngine.nextTarget', () => {
  it('is the parent target off the retarget interval, without looking back', () => {
    const headers = chain(15, 10)
    const asked: number[] = []
    expect(engine.nextTarget(headers[14]!, treeOf(headers, asked))).toBe(T)
    expect(engine.nextTarget(headers[4]!, treeOf(headers, asked))).toBe(T)
    expect(asked).toEqual([])
  })

  it('retargets from the ancestor retargetInterval blocks before the child', () => {
    const fast = chain(10, 500)
    const asked: number[] = []
    expect(engine.nextTarget(fast[9]!, treeOf(fast, asked))).toBe(T / 2n)
    expect(asked).toEqual([0])
    expect(engine.nextTarget(chain(10, 2_000)[9]!, treeOf(chain(10, 2_000)))).toBe(T * 2n)
    expect(engine.nextTarget(chain(10, 1_000)[9]!, treeOf(chain(10, 1_000)))).toBe(T)
  })

  it('a missing ancestor is our bug (plain Error), not the peer’s fault', () => {
    const headers = chain(10, 500)
    const err = thrownBy(() => engine.nextTarget(headers[9]!, { ancestor: () => undefined }))
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(VerifyError)
  })
})

describe('PowEngine.checkHeader', () => {
  it('accepts a sealed header with the expected target', async () => {
    const headers = chain(5, 1_000)
    const parent = headers[4]!
    const header = await sealed(fieldsNeedingWork(parent, T))
    expect(header.fields.nonce).toBeGreaterThan(0n)
    expect(() => engine.checkHeader(header, parent, treeOf(headers))).not.toThrow()
  })

  it('accepts a sealed header at a retarget', async () => {
    const headers = chain(10, 500)
    const header = await sealed(fieldsNeedingWork(headers[9]!, T / 2n))
    expect(() => engine.checkHeader(header, headers[9]!, treeOf(headers))).not.toThrow()
  })

  it('BLOCK_BAD_TARGET: a harder target than expected, even with valid work for it', async () => {
    const headers = chain(5, 1_000)
    const parent = headers[4]!
    const header = await sealed(childFields(parent, T / 2n))
    expect(bytesToBigint(header.hash) <= T).toBe(true)
    expectVerifyError(() => engine.checkHeader(header, parent, treeOf(headers)), 'BLOCK_BAD_TARGET', 'reject')
  })

  it('BLOCK_BAD_TARGET: an easier target than expected', async () => {
    const headers = chain(5, 1_000)
    const header = await sealed(childFields(headers[4]!, T + 1n))
    expectVerifyError(() => engine.checkHeader(header, headers[4]!, treeOf(headers)), 'BLOCK_BAD_TARGET', 'reject')
  })

  it('BLOCK_BAD_TARGET: the parent’s target carried over a retarget', async () => {
    const slow = chain(10, 2_000) // the child must carry 2T
    const header = await sealed(childFields(slow[9]!, T))
    expectVerifyError(() => engine.checkHeader(header, slow[9]!, treeOf(slow)), 'BLOCK_BAD_TARGET', 'reject')
  })

  it('BLOCK_BAD_POW: hash above a tiny target', () => {
    const headers = chain(5, 1_000, 1n)
    const header = Header.fromFields(childFields(headers[4]!, 1n))
    expect(bytesToBigint(header.hash) > 1n).toBe(true)
    expectVerifyError(() => engine.checkHeader(header, headers[4]!, treeOf(headers)), 'BLOCK_BAD_POW', 'reject')
  })

  it('BLOCK_BAD_POW: an unsealed header at a normal target, and a sealed one with its nonce changed', async () => {
    const headers = chain(5, 1_000)
    const parent = headers[4]!
    const unsealed = Header.fromFields(fieldsNeedingWork(parent, T))
    expectVerifyError(() => engine.checkHeader(unsealed, parent, treeOf(headers)), 'BLOCK_BAD_POW', 'reject')
    const good = await sealed(fieldsNeedingWork(parent, T))
    for (let nonce = good.fields.nonce + 1n; ; nonce++) {
      const moved = Header.fromFields({ ...good.fields, nonce })
      if (bytesToBigint(moved.hash) > T) {
        expectVerifyError(() => engine.checkHeader(moved, parent, treeOf(headers)), 'BLOCK_BAD_POW', 'reject')
        break
      }
    }
  })
})

describe('PowEngine.work', () => {
  it('is workOf(target), larger for harder targets', () => {
    const easy = Header.fromFields(headerFields({ target: bigintToBytes(T) }))
    const hard = Header.fromFields(headerFields({ target: bigintToBytes(T / 16n) }))
    expect(engine.work(easy)).toBe(workOf(T))
    expect(engine.work(hard)).toBeGreaterThan(engine.work(easy))
  })
})

describe('PowEngine.seal', () => {
  it('keeps every field but the nonce and meets the target', async () => {
    const fields = fieldsNeedingWork(chain(1, 1)[0]!, T)
    const header = await sealed(fields)
    expect({ ...header.fields, nonce: 0n }).toEqual({ ...fields, nonce: 0n })
    expect(bytesToBigint(header.hash) <= T).toBe(true)
    expect(header.fields.nonce).toBeGreaterThanOrEqual(1n)
  })

  it('returns nonce 0 at once when it already meets the target', async () => {
    const easy = 1n << 254n
    const parent = chain(1, 1)[0]!
    let fields = childFields(parent, easy)
    for (let dt = 0n; bytesToBigint(Header.fromFields(fields).hash) > easy; dt++) {
      fields = childFields(parent, easy, { timestamp: parent.fields.timestamp + dt })
    }
    const header = await sealed({ ...fields, nonce: 99n })
    expect(header.fields.nonce).toBe(0n)
  })

  it('seals a version 2 header (mmrRoot after the nonce): it decodes, keeps its mmrRoot and passes checkSeal', async () => {
    const mmrRoot = new Uint8Array(32).fill(0x5a)
    const fields = { ...fieldsNeedingWork(chain(1, 1)[0]!, T), version: 2, mmrRoot }
    const header = await sealed(fields)
    expect(header.fields.nonce).toBeGreaterThanOrEqual(1n)
    const again = Header.fromBytes(header.bytes)
    expect(again.id).toBe(header.id)
    expect(hex(again.fields.mmrRoot!)).toBe(hex(mmrRoot))
    expect(() => engine.checkSeal(again)).not.toThrow()
  })

  it('seals with several mining threads', async () => {
    const multi = new PowEngine(params, { mineThreads: 3 })
    const header = await multi.seal(fieldsNeedingWork(chain(1, 1)[0]!, T / 4n))
    expect(header).not.toBeNull()
    expect(bytesToBigint(header!.hash) <= T / 4n).toBe(true)
    await multi.close()
  })

  it('resolves null when aborted', async () => {
    const impossible = headerFields({ target: new Uint8Array(32) }) // no hash is <= 0
    const controller = new AbortController()
    const started = Date.now()
    const pending = engine.seal(impossible, controller.signal)
    setTimeout(() => controller.abort(), 100)
    expect(await pending).toBeNull()
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('resolves null when already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    expect(await engine.seal(headerFields({ target: new Uint8Array(32) }), controller.signal)).toBeNull()
  })
})
