/**
 * `peerchain lab run lab/scenarios/smoke.toml`: 8 real nodes in two regions
 * 100 ms apart (10 ms inside a region), two miners, tx load, 30 s. The
 * report's figures must come from the traces, and the delays in the traces
 * from the link shaper: a tx that crossed one 100 ms link straight from the
 * node it was sent to is first seen no sooner than 100 ms (less the shaper's
 * measured error) after the lab sent it.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Report } from '../../src/lab/report/compute.js'
import type { LabRun, LabTimelineEvent } from '../../src/lab/run-format.js'
import type { TraceEvent } from '../../src/trace/format.js'
import { cli } from '../helpers/cli.js'

const SMOKE = join(import.meta.dirname, '../../lab/scenarios/smoke.toml')
const jsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T]
      } catch {
        return [] // a half-written last line
      }
    })

describe('peerchain lab run smoke.toml', () => {
  let out: string | undefined
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true })
  })

  it('runs 8 real nodes under the shaper and writes a report whose figures come from the traces', async () => {
    out = await mkdtemp(join(tmpdir(), 'peerchain-lab-'))
    const started = Date.now()
    const res = await cli(['lab', 'run', SMOKE, '--out', out], {}, 150_000)
    expect(res.code, res.stderr + res.stdout).toBe(0)
    const wallS = (Date.now() - started) / 1000
    expect(wallS).toBeLessThan(120)

    expect((await stat(join(out, 'report.html'))).size).toBeGreaterThan(10_000)
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report
    const run = JSON.parse(await readFile(join(out, 'gossipsub', 'run.json'), 'utf8')) as LabRun
    const timeline = jsonLines<LabTimelineEvent>(await readFile(join(out, 'gossipsub', 'timeline.jsonl'), 'utf8'))
    const traces = new Map<string, TraceEvent[]>()
    for (const node of run.nodes) {
      if (node.trace)
        traces.set(node.name, jsonLines<TraceEvent>(await readFile(join(out, 'gossipsub', node.trace), 'utf8')))
    }
    expect(run.nodes.filter((n) => n.role !== 'attacker')).toHaveLength(8)
    expect(run.shaperErrorMs).toBeDefined()
    const errMs = run.shaperErrorMs?.max ?? 0

    // Every node traced, started and stopped cleanly.
    for (const [name, events] of traces) {
      expect(events[0]?.e, name).toBe('start')
      expect(events.at(-1)?.e, name).toBe('stop')
    }

    // The shaper's delay shows in the traces: straight from the origin across the 100 ms link.
    const nodeBy = new Map(run.nodes.map((n) => [n.peerIds[0], n]))
    const regionOf = new Map(run.nodes.map((n) => [n.name, n.region]))
    const sent = timeline.filter((e): e is Extract<LabTimelineEvent, { e: 'tx-sent' }> => e.e === 'tx-sent')
    expect(sent.length).toBeGreaterThan(20)
    const sentAt = new Map(sent.map((e) => [e.id, e]))
    const crossHops: number[] = []
    for (const [name, events] of traces) {
      for (const e of events) {
        if (e.e !== 'tx') continue
        const origin = sentAt.get(e.id)
        const from = nodeBy.get(e.from)
        if (!origin || !from || from.name !== origin.node) continue
        if (regionOf.get(origin.node) !== regionOf.get(name)) crossHops.push(e.t - origin.t)
      }
    }
    expect(crossHops.length).toBeGreaterThan(5)
    expect(Math.min(...crossHops)).toBeGreaterThanOrEqual(100 - errMs - 1)

    // The report counts what the traces hold.
    const [figures] = report.runs
    expect(figures?.gossip).toBe('gossipsub')
    const madeTxs = new Set<string>()
    for (const events of traces.values())
      for (const e of events) if (e.e === 'tx' && e.from === 'local') madeTxs.add(e.id)
    expect(figures?.propagation.tx.messages).toBe(madeTxs.size)
    const minedBlocks = new Set<string>()
    for (const events of traces.values())
      for (const e of events) if (e.e === 'block' && e.from === 'local') minedBlocks.add(e.hash)
    expect(figures?.propagation.block.messages).toBe(minedBlocks.size)
    expect(minedBlocks.size).toBeGreaterThan(0)
    // Nothing can reach every node faster than one cross-region link: the 100% delay of a tx is at least ~100 ms.
    const all = figures?.propagation.tx.reach.find((r) => r.level === 100)
    expect(all?.delayMs.p50).toBeGreaterThanOrEqual(100 - errMs - 1)
    // No tx is lost: every one reached every node (a tx refused from a block-relay peer once did not).
    expect(all?.unreached).toBe(0)
    expect(figures?.propagation.block.reach.find((r) => r.level === 100)?.unreached).toBe(0)
    expect(run.txOutcome).toMatchObject({ lost: 0, lostIds: [] })
    expect(run.txOutcome?.sent).toBe(new Set(sent.map((e) => e.id)).size)
    expect(figures?.txOutcome?.included).toBe(run.txOutcome?.included)
    expect(res.stdout).toMatch(/gossipsub: \d+ txs, median time to reach 50% \d+ ms/)
  }, 180_000)
})
