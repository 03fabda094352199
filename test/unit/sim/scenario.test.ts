/** The scenario's consensus fields: proof of work by default, proof of stake's validators and timeouts checked. */
import { describe, expect, it } from 'vitest'
import { bftTimeouts } from '../../../src/sim/consensus.js'
import { isRunning, parseScenario, ScenarioError, validatorCount } from '../../../src/sim/scenario.js'

describe('scenario consensus', () => {
  it('defaults to proof of work with no validators', () => {
    const s = parseScenario({})
    expect(s.consensus).toBe('pow')
    expect(validatorCount(s)).toBe(0)
  })

  it('makes every node a validator under proof of stake, with WAN timeouts capped per step', () => {
    const s = parseScenario({ consensus: 'pos', nodes: 7 })
    expect(validatorCount(s)).toBe(7)
    expect(bftTimeouts(s.timeouts)).toEqual({
      propose: { baseMs: 3000, deltaMs: 500, maxMs: 10_000 },
      prevote: { baseMs: 1000, deltaMs: 500, maxMs: 5000 },
      precommit: { baseMs: 1000, deltaMs: 500, maxMs: 5000 },
    })
    const tuned = parseScenario({ consensus: 'pos', timeouts: { propose: { base_ms: 500, delta_ms: 0, max_ms: 500 } } })
    expect(tuned.timeouts.propose.max_ms).toBe(500)
    expect(tuned.timeouts.prevote.max_ms).toBe(5000)
  })

  it('leaves the last offline validators out of the running nodes, and full nodes in', () => {
    const s = parseScenario({ consensus: 'pos', nodes: 10, validators: 7, offline_validators: 2 })
    expect([...Array(10).keys()].filter((i) => !isRunning(s, i))).toEqual([5, 6])
  })

  it('refuses validators under proof of work, more validators than nodes, and no validator running', () => {
    expect(() => parseScenario({ validators: 4 })).toThrow(ScenarioError)
    expect(() => parseScenario({ consensus: 'pos', nodes: 4, validators: 5 })).toThrow(/validators/)
    expect(() => parseScenario({ consensus: 'pos', nodes: 4, offline_validators: 4 })).toThrow(/offline_validators/)
    expect(() =>
      parseScenario({ consensus: 'pos', timeouts: { prevote: { base_ms: 900, delta_ms: 0, max_ms: 800 } } }),
    ).toThrow(/max_ms/)
  })
})
