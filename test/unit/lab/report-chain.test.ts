/** Convergence after a heal and the stale-block rate, on block trees with known shapes. */
import { describe, expect, it } from 'vitest'
import { convergenceFigures } from '../../../src/lab/report/convergence.js'
import { buildModel } from '../../../src/lab/report/model.js'
import { staleFigures } from '../../../src/lab/report/stale.js'
import { peerIdOf, RunBuilder } from '../../helpers/lab-run.js'

/** Logs block `hash` (child of `parent`) at `node` and makes it the node's head. */
function adopt(run: RunBuilder, node: string, ms: number, hash: string, height: number, parent: string) {
  run.at(node, ms, { e: 'block', hash, height, from: 'local', parent })
  run.at(node, ms, { e: 'head', hash, height })
}

/** Two sides split at 10 s: n0 mines a1, a2; n1 mines b1. Healed at 20 s. */
function splitRun() {
  const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }])
  for (const n of ['n0', 'n1']) adopt(run, n, 1000, 'g1', 1, 'g0')
  run.event(10_000, { e: 'split', groups: [['n0'], ['n1']] })
  adopt(run, 'n0', 12_000, 'a2', 2, 'g1')
  adopt(run, 'n0', 14_000, 'a3', 3, 'a2')
  adopt(run, 'n1', 13_000, 'b2', 2, 'g1')
  run.event(20_000, { e: 'heal' })
  return run
}

describe('convergence after a heal', () => {
  it('is the time until every up honest node has one head and stays on its chain', () => {
    const run = splitRun()
    // n1 takes n0's longer branch 2.5 s after the heal; mining goes on along it.
    run.at('n1', 22_500, { e: 'block', hash: 'a2', height: 2, from: peerIdOf('n0'), parent: 'g1' })
    run.at('n1', 22_500, { e: 'block', hash: 'a3', height: 3, from: peerIdOf('n0'), parent: 'a2' })
    run.at('n1', 22_500, { e: 'reorg', depth: 1, from: 'b2', to: 'a3' })
    run.at('n1', 22_500, { e: 'head', hash: 'a3', height: 3 })
    adopt(run, 'n0', 30_000, 'a4', 4, 'a3')
    run.at('n1', 30_100, { e: 'block', hash: 'a4', height: 4, from: peerIdOf('n0'), parent: 'a3' })
    run.at('n1', 30_100, { e: 'head', hash: 'a4', height: 4 })
    expect(convergenceFigures(buildModel(run.loaded()))).toEqual([
      { healS: 20, convergedMs: 2500, head: 'a3', height: 3, nodes: 2 },
    ])
  })

  it('does not count a moment of agreement the nodes then leave', () => {
    const run = splitRun()
    // Both on b2 at 21 s (n0 reorgs), then both move to c4, on n0's old branch, at 25 s.
    run.at('n0', 21_000, { e: 'block', hash: 'b2', height: 2, from: peerIdOf('n1'), parent: 'g1' })
    run.at('n0', 21_000, { e: 'head', hash: 'b2', height: 2 })
    adopt(run, 'n0', 25_000, 'c4', 4, 'a3')
    run.at('n1', 25_400, { e: 'block', hash: 'c4', height: 4, from: peerIdOf('n0'), parent: 'a3' })
    run.at('n1', 25_400, { e: 'head', hash: 'c4', height: 4 })
    const [heal] = convergenceFigures(buildModel(run.loaded()))
    expect(heal).toMatchObject({ convergedMs: 5400, head: 'c4' })
  })

  it('is null when the nodes never agree, and there is none without a heal', () => {
    expect(convergenceFigures(buildModel(splitRun().loaded()))).toEqual([
      { healS: 20, convergedMs: null, head: null, height: null, nodes: 0 },
    ])
    expect(convergenceFigures(buildModel(new RunBuilder([{ name: 'n0' }]).loaded()))).toEqual([])
  })
})

describe('the stale-block rate', () => {
  it('counts the blocks off the chain of the head most nodes ended on', () => {
    const run = new RunBuilder([{ name: 'n0' }, { name: 'n1' }, { name: 'n2' }])
    for (const n of ['n0', 'n1', 'n2']) {
      adopt(run, n, 1000, 'h1', 1, 'h0')
      adopt(run, n, 2000, 'h2', 2, 'h1')
    }
    adopt(run, 'n2', 2500, 'x2', 2, 'h1') // a fork only n2 took, then left
    for (const n of ['n0', 'n1', 'n2']) adopt(run, n, 3000, 'h3', 3, 'h2')
    adopt(run, 'n0', 3900, 'h4', 4, 'h3') // n0 alone: the majority's head is h3, h4 is in flight
    const stale = staleFigures(buildModel(run.loaded()))
    expect(stale).toMatchObject({
      finalHead: 'h3',
      finalHeight: 3,
      nodesOnFinalHead: 2,
      nodesWithHead: 3,
      stale: 1,
      judged: 4,
      inFlight: 1,
      rate: 0.25,
    })
  })

  it('is null, saying why, when the traces carry no parent links', () => {
    const run = new RunBuilder([{ name: 'n0' }])
    run.at('n0', 1000, { e: 'block', hash: 'h1', height: 1, from: 'local' })
    run.at('n0', 1000, { e: 'head', hash: 'h1', height: 1 })
    expect(staleFigures(buildModel(run.loaded()))).toMatchObject({
      rate: null,
      note: 'the traces carry no parent links',
    })
  })
})
