/**
 * Stake, epochs and slashing under the simulator, on the real PoS genesis and
 * engine (posEngineOf): a validator driven to equivocate is reported by the
 * honest validators' evidence txs, slashed and jailed for good on every
 * node, and left out of the next epoch's set, while the chain keeps
 * finalizing; and the PoS fuzzer holds on a handful of seeds.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { PosEngine } from '../../src/consensus/pos/engine.js'
import { epochOf } from '../../src/consensus/pos/epoch.js'
import { JAILED_FOREVER } from '../../src/consensus/pos/stake-record.js'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { slashingViolations } from '../../src/sim/checks.js'
import { SIM_VALIDATOR_STAKE, simValidatorKey } from '../../src/sim/genesis.js'
import { fuzzPosOnce } from '../../src/sim/pos-fuzz.js'
import { parseScenario, ScenarioError } from '../../src/sim/scenario.js'
import type { SimWorld } from '../../src/sim/world.js'
import { chainsOf, runPos } from './pos-helpers.js'

const worlds: SimWorld[] = []
afterAll(async () => {
  for (const world of worlds) await world.close()
})

describe('slashing in a proof-of-stake simulated network', () => {
  it('slashes and jails an equivocating validator on every node, drops it at the next epoch, and keeps finalizing', async () => {
    const validators = 5
    const offender = 2
    const epochLength = 10
    const address = addressFromPublicKey(simValidatorKey(offender).publicKey)
    // Head height at which each node's state first shows the offender jailed.
    const jailedAt = new Map<number, number>()
    const run = await runPos(
      {
        seed: 31,
        nodes: validators + 2,
        validators,
        blocks: 3 * epochLength,
        block_interval_s: 1,
        epoch_length: epochLength,
        byzantine: [{ validator: offender, fault: 'equivocate' }],
      },
      () => ({
        onHeadChange: (simNode, change) => {
          if (jailedAt.has(simNode.index)) return
          const height = change.head.height
          void simNode.node.ledger.chain.getAccount(address).then((account) => {
            if (account.stake?.jailedUntil === JAILED_FOREVER && !jailedAt.has(simNode.index)) {
              jailedAt.set(simNode.index, height)
            }
          })
        },
      }),
    )
    const { world } = run
    worlds.push(world)
    expect(run.violations).toEqual([])
    expect(await slashingViolations(world)).toEqual([])

    const pos = world.genesis.pos
    expect(pos?.validators[offender]?.address).toEqual(address)
    const slashed = SIM_VALIDATOR_STAKE - (SIM_VALIDATOR_STAKE * BigInt(pos?.slashDoubleSignBps ?? 0)) / 10_000n
    expect(slashed).toBeLessThan(SIM_VALIDATOR_STAKE)
    let slashHeight = 0
    for (const { index, node, engine } of world.nodes) {
      const account = await node.ledger.chain.getAccount(address)
      expect(account.stake?.jailedUntil).toBe(JAILED_FOREVER)
      expect(account.stake?.bonded).toBe(slashed)
      // The block that included the evidence: every node's state shows it from the same height on.
      const at = jailedAt.get(index) as number
      expect(at).toBeGreaterThan(0)
      slashHeight = Math.max(slashHeight, at)
      if (!(engine instanceof PosEngine)) throw new Error('a PoS node without its PosEngine')
      expect(engine.schedule.setAt(1).indexOf(address)).toBeGreaterThanOrEqual(0)
      // The set of the epoch after the slash no longer holds it; the others stay.
      const nextEpochHeight = (epochOf(slashHeight, epochLength) + 1) * epochLength
      const next = engine.schedule.setAt(nextEpochHeight)
      expect(next.indexOf(address)).toBe(-1)
      expect(next.size).toBe(validators - 1)
      expect(engine.schedule.setAt(node.ledger.chain.head.height).indexOf(address)).toBe(-1)
    }
    // The first equivocation is at height 1: its evidence is in a block within a few heights.
    expect(slashHeight).toBeLessThanOrEqual(5)
    // The chain kept finalizing past the epoch that dropped the offender, every node on the same chain.
    expect(run.pos.heightsCommitted).toBeGreaterThanOrEqual(3 * epochLength)
    const chains = chainsOf(world)
    expect(chains[0]?.length).toBeGreaterThan(2 * epochLength + 1)
    for (const chain of chains) expect(chain).toEqual(chains[0])
  })

  it('refuses byzantine entries that name no running validator, repeat one, or misuse late_ms', () => {
    const base = { consensus: 'pos', nodes: 6, validators: 5, offline_validators: 1 }
    const refused = (byzantine: unknown[], extra: Record<string, unknown> = base): string => {
      try {
        parseScenario({ ...extra, byzantine })
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError)
        return (err as Error).message
      }
      throw new Error('accepted')
    }
    expect(refused([{ validator: 5, fault: 'silent' }])).toContain(
      'byzantine.0.validator: must name a validator, 0 … 4',
    )
    expect(refused([{ validator: 4, fault: 'silent' }])).toContain('validator 4 is offline')
    expect(
      refused([
        { validator: 1, fault: 'silent' },
        { validator: 1, fault: 'equivocate' },
      ]),
    ).toContain('byzantine.1.validator: validator 1 is listed twice')
    expect(refused([{ validator: 1, fault: 'late' }])).toContain('byzantine.0.late_ms')
    expect(refused([{ validator: 1, fault: 'silent', late_ms: 10 }])).toContain('byzantine.0.late_ms')
    expect(refused([{ validator: 1, fault: 'lazy' }])).toContain('byzantine.0.fault')
    expect(refused([{ validator: 1, fault: 'silent' }], { nodes: 6 })).toContain('byzantine: byzantine validators need')
    const ok = parseScenario({ ...base, byzantine: [{ validator: 0, fault: 'late', late_ms: 500 }] })
    expect(ok.byzantine).toEqual([{ validator: 0, fault: 'late', late_ms: 500 }])
    expect(ok.epoch_length).toBe(20)
  })

  // Seeds 1–12 hold each fault (equivocate, silent, late), an offline validator, loss until a stabilisation
  // time, and partitions that heal (one with an equivocator); `npm run sim:fuzz -- --pos` runs many more.
  it('holds safety, liveness and slashing on a dozen PoS fuzzer seeds', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      expect({ seed, problems: await fuzzPosOnce(seed) }).toEqual({ seed, problems: [] })
    }
  })
})
