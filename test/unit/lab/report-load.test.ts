/** Loading a run directory: strict about every line, tolerant of a SIGKILLed node's half-written last line. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RunFormatError } from '../../../src/lab/report/errors.js'
import { loadRuns } from '../../../src/lab/report/load.js'
import { parseLabRun, parseTimeline, parseTrace } from '../../../src/lab/report/parse.js'
import { RunBuilder, T0 } from '../../helpers/lab-run.js'

const start = (t: number, pid = 1) => JSON.stringify({ t, e: 'start', v: 1, peerId: 'p', pid })
const tx = (t: number, id: string) => JSON.stringify({ t, e: 'tx', id, from: 'local' })

function thrown(fn: () => unknown): RunFormatError {
  try {
    fn()
  } catch (err) {
    if (err instanceof RunFormatError) return err
    throw err
  }
  throw new Error('did not throw')
}

describe('parsing a trace', () => {
  it('reads every event line', () => {
    const parsed = parseTrace('n0.jsonl', `${start(1)}\n${tx(2, 'a')}\n${JSON.stringify({ t: 3, e: 'stop' })}\n`)
    expect(parsed.events.map((e) => e.e)).toEqual(['start', 'tx', 'stop'])
    expect(parsed.truncatedLines).toBe(0)
  })

  it('names the file and line of a bad event, and what is wrong with it', () => {
    const bad = thrown(() => parseTrace('n0.jsonl', `${start(1)}\n${tx(2, 'a')}\n{"t":3,"e":"tx","id":"b"}\n`))
    expect(bad).toMatchObject({ file: 'n0.jsonl', line: 3 })
    expect(bad.message).toMatch(/^n0\.jsonl:3: from: /)
    expect(thrown(() => parseTrace('n0.jsonl', `${start(1)}\n{"t":3,"e":"gossip"}\n`)).line).toBe(2)
    expect(thrown(() => parseTrace('n0.jsonl', `${start(1)}\nnot json\n${tx(2, 'a')}\n`)).message).toBe(
      'n0.jsonl:2: not JSON',
    )
    expect(thrown(() => parseTrace('n0.jsonl', `${tx(2, 'a')}\n`)).message).toMatch(/begins with a start event/)
  })

  it('drops a half-written last line, and one a restarted node wrote its start after', () => {
    const cut = `${start(1)}\n${tx(2, 'a')}\n{"t":3,"e":"tx","i`
    expect(parseTrace('n0.jsonl', cut)).toMatchObject({ truncatedLines: 1, events: [{ e: 'start' }, { e: 'tx' }] })
    const sameLine = `${cut}${start(10, 2)}\n${tx(11, 'b')}\n`
    expect(parseTrace('n0.jsonl', sameLine).events.map((e) => [e.e, e.t])).toEqual([
      ['start', 1],
      ['tx', 2],
      ['start', 10],
      ['tx', 11],
    ])
    const nextLine = `${cut}\n${start(10, 2)}\n`
    expect(parseTrace('n0.jsonl', nextLine).truncatedLines).toBe(1)
    // A half line anywhere else is damage, not a kill.
    expect(thrown(() => parseTrace('n0.jsonl', `${cut}\n${tx(11, 'b')}\n`)).line).toBe(3)
  })
})

describe('parsing the timeline and run.json', () => {
  it('refuses events out of time order and a latency matrix of the wrong shape', () => {
    const line = (t: number) => JSON.stringify({ t, e: 'heal' })
    expect(parseTimeline('timeline.jsonl', `${line(1)}\n${line(2)}\n`)).toHaveLength(2)
    expect(thrown(() => parseTimeline('timeline.jsonl', `${line(2)}\n${line(1)}\n`)).message).toBe(
      'timeline.jsonl:2: events out of time order',
    )
    const run = new RunBuilder([{ name: 'n0' }]).run
    expect(parseLabRun('run.json', JSON.stringify(run))).toEqual(run)
    expect(thrown(() => parseLabRun('run.json', JSON.stringify({ ...run, latencyMs: [[0, 1]] }))).message).toBe(
      'run.json: latencyMs: must be 1×1, one row and column per region',
    )
  })
})

describe('loadRuns', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-report-load-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads each gossip’s run, gossipsub first, as written', async () => {
    for (const gossip of ['floodsub', 'gossipsub'] as const) {
      const run = new RunBuilder([{ name: 'n0' }, { name: 'a0', role: 'attacker' }], { gossip })
      run.at('n0', 100, { e: 'tx', id: 'a', from: 'local' })
      run.event(50, { e: 'tx-sent', id: 'a', node: 'n0' })
      await run.write(dir)
    }
    const runs = await loadRuns(dir)
    expect(runs.map((r) => r.run.gossip)).toEqual(['gossipsub', 'floodsub'])
    expect(runs[0]?.traces).toEqual([
      {
        node: 'n0',
        truncatedLines: 0,
        events: [
          { t: T0, e: 'start', v: 1, peerId: 'peer-n0', pid: 1 },
          { t: T0 + 100, e: 'tx', id: 'a', from: 'local' },
        ],
      },
    ])
    expect(runs[0]?.timeline).toEqual([{ t: T0 + 50, e: 'tx-sent', id: 'a', node: 'n0' }])
  })

  it('names a missing or bad file relative to the directory', async () => {
    await expect(loadRuns(dir)).rejects.toThrow(/no run: expected gossipsub or floodsub\/run.json/)
    await new RunBuilder([{ name: 'n0' }]).write(dir)
    await writeFile(join(dir, 'gossipsub', 'traces', 'n0.jsonl'), `${start(1)}\n{"t":2}\n${tx(3, 'a')}\n`)
    await expect(loadRuns(dir)).rejects.toThrow('gossipsub/traces/n0.jsonl:2: e: ')
    await rm(join(dir, 'gossipsub', 'timeline.jsonl'))
    await expect(loadRuns(dir)).rejects.toThrow('gossipsub/timeline.jsonl: missing')
  })
})
