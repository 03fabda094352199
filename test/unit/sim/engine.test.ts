import { describe, expect, it } from 'vitest'
import { workOf } from '../../../src/consensus/pow/target.js'
import { Header } from '../../../src/ledger/block.js'
import { devnetGenesis } from '../../../src/ledger/genesis.js'
import { SimPowEngine } from '../../../src/sim/engine.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { bigintToBytes } from '../../../src/util/bytes.js'
import { expectVerifyError, headerFields } from '../ledger/fixtures.js'

const params = devnetGenesis({ powLimit: 1n << 250n }).params
const TARGET = 1n << 240n

function engineOf(s: SimScheduler, hashShare: number, blockIntervalMs = 10_000): SimPowEngine {
  return new SimPowEngine({ clock: s, timers: s, rng: s.rng }, { params, hashShare, blockIntervalMs })
}

describe('SimPowEngine', () => {
  it('finds blocks after exponential delays of mean blockIntervalMs / hashShare', async () => {
    const s = new SimScheduler({ seed: 9 })
    const engine = engineOf(s, 0.25)
    const t0 = s.nowMs()
    const foundAt: number[] = []
    const n = 10_000
    for (let i = 0; i < n; i++)
      void engine.seal(headerFields({ timestamp: BigInt(t0) })).then(() => foundAt.push(s.nowMs() - t0))
    await s.run()
    expect(foundAt).toHaveLength(n)
    const mean = foundAt.reduce((a, b) => a + b, 0) / n
    expect(Math.abs(mean / 40_000 - 1)).toBeLessThan(0.03)
    // exponential, not constant: about 1 - 1/e of the draws fall below the mean
    const below = foundAt.filter((ms) => ms < 40_000).length / n
    expect(Math.abs(below - (1 - Math.exp(-1)))).toBeLessThan(0.02)
  })

  it('seals with the discovery time (never below the template) and a random nonce, keeping the other fields', async () => {
    const s = new SimScheduler({ seed: 2 })
    const engine = engineOf(s, 1, 1000)
    const now = s.nowMs()
    const fields = headerFields({ timestamp: BigInt(now), target: bigintToBytes(TARGET) })
    const future = headerFields({ timestamp: BigInt(now + 3_600_000), target: bigintToBytes(TARGET) })
    const a = engine.seal(fields)
    const b = engine.seal(fields)
    const c = engine.seal(future)
    let foundAt = 0
    void a.then(() => {
      foundAt = s.nowMs()
    })
    await s.run()
    const [ha, hb, hc] = (await Promise.all([a, b, c])) as [Header, Header, Header]
    expect(ha.timestampMs).toBe(foundAt)
    expect(ha.timestampMs).toBeGreaterThan(now)
    expect(hc.timestampMs).toBe(now + 3_600_000)
    expect(ha.fields.nonce).not.toBe(hb.fields.nonce)
    expect(ha.fields.nonce).toBeLessThan(1n << 64n)
    expect(ha.target).toBe(TARGET)
    expect(ha.fields.stateRoot).toEqual(fields.stateRoot)
    expect(ha.height).toBe(Number(fields.height))
  })

  it('resolves null when the signal aborts, leaving no timer behind; a non-miner never finds a block', async () => {
    const s = new SimScheduler()
    const engine = engineOf(s, 0.5)
    const controller = new AbortController()
    const sealing = engine.seal(headerFields(), controller.signal)
    expect(s.pendingCount).toBe(1)
    controller.abort()
    expect(await sealing).toBeNull()
    expect(s.pendingCount).toBe(0)
    expect(await engine.seal(headerFields(), AbortSignal.abort())).toBeNull()

    const idle = engineOf(s, 0)
    const stop = new AbortController()
    let settled = false
    const never = idle.seal(headerFields(), stop.signal).then((h) => {
      settled = true
      return h
    })
    s.setTimeout(() => {}, 3_600_000) // an hour of virtual time
    await s.run()
    expect(settled).toBe(false)
    stop.abort()
    expect(await never).toBeNull()
    expect(() => engineOf(s, 1.5)).toThrow(RangeError)
  })

  it('checks the target against the limit and the parent, not the hash; work follows the target', () => {
    const s = new SimScheduler()
    const engine = engineOf(s, 1)
    const parent = Header.fromFields(headerFields({ height: 1n, target: bigintToBytes(TARGET) }))
    const child = Header.fromFields(
      headerFields({ height: 2n, parentHash: parent.hash, target: bigintToBytes(TARGET) }),
    )
    const tree = { ancestor: () => undefined }
    expect(engine.nextTarget(parent, tree)).toBe(TARGET)
    engine.checkSeal(child) // its hash is far above the target: not checked
    engine.checkHeader(child, parent, tree)
    expect(engine.work(child)).toBe(workOf(TARGET))
    const easier = Header.fromFields(headerFields({ height: 2n, target: bigintToBytes(TARGET * 2n) }))
    expectVerifyError(() => engine.checkHeader(easier, parent, tree), 'BLOCK_BAD_TARGET', 'reject')
    const overLimit = Header.fromFields(headerFields({ target: bigintToBytes(params.powLimit + 1n) }))
    expectVerifyError(() => engine.checkSeal(overLimit), 'BLOCK_BAD_TARGET', 'reject')
  })
})
