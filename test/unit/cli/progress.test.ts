import { describe, expect, it } from 'vitest'
import type { SyncStatusJson } from '../../../src/api/json.js'
import { renderSyncLine, SyncProgressBar } from '../../../src/cli/progress.js'

const syncing = (done: number, target: number, rate = 35.2, eta: number | null = 107): SyncStatusJson => ({
  state: 'blocks',
  doneHeight: done,
  targetHeight: target,
  blocksPerSecond: rate,
  etaSeconds: eta,
  peer: '12D3KooWpeer',
})
const CLEAR = '\r\x1b[2K'
const idle = (height: number): SyncStatusJson => ({
  state: 'idle',
  doneHeight: height,
  targetHeight: height,
  blocksPerSecond: 0,
  etaSeconds: null,
  peer: null,
})

describe('renderSyncLine', () => {
  it('shows blocks done of the target, the percentage, the rate and the ETA', () => {
    expect(renderSyncLine(syncing(1234, 5000))).toBe(
      'syncing [#####-------------------] 1,234/5,000 24.7% 35.2 blocks/s ETA 1m47s',
    )
    expect(renderSyncLine(syncing(0, 10, 0, null))).toContain('0/10 0.0% 0.0 blocks/s ETA unknown')
    expect(renderSyncLine(syncing(10, 10, 5, 0))).toContain('[########################] 10/10 100.0%')
  })

  it('says when headers are being fetched and when the node is synced', () => {
    expect(renderSyncLine({ ...syncing(5, 900), state: 'headers' })).toBe(
      'syncing: fetching headers toward height 900…',
    )
    expect(renderSyncLine(idle(4321))).toBe('synced at height 4,321')
  })
})

describe('SyncProgressBar', () => {
  function fixture(states: SyncStatusJson[]) {
    const out: string[] = []
    let i = 0
    const bar = new SyncProgressBar({ write: (t: string) => out.push(t), columns: 120 }, () => {
      const s = states[Math.min(i, states.length - 1)] as SyncStatusJson
      i++
      return s
    })
    return { bar, out }
  }

  it('draws nothing while the node is idle', () => {
    const { bar, out } = fixture([idle(3), idle(3)])
    bar.tick()
    bar.tick()
    expect(out).toEqual([])
  })

  it('redraws in place while syncing, then prints one line when done', () => {
    const { bar, out } = fixture([syncing(1, 100), syncing(50, 100), idle(100)])
    bar.tick()
    bar.tick()
    bar.tick()
    expect(out[0]?.startsWith(`${CLEAR}syncing [`)).toBe(true)
    expect(out[0]).toContain('] 1/100')
    expect(out[1]?.startsWith(`${CLEAR}syncing [`)).toBe(true)
    expect(out[1]).toContain('] 50/100')
    expect(out.slice(2)).toEqual(['\r\x1b[2K', 'synced at height 100\n'])
  })

  it('lifts the bar for other output and puts it back', () => {
    const { bar, out } = fixture([syncing(1, 100)])
    bar.tick()
    out.length = 0
    bar.print('a log line\n')
    expect(out[0]).toBe('\r\x1b[2K')
    expect(out[1]).toBe('a log line\n')
    expect(out[2]).toMatch(/syncing \[/)
  })

  it('cuts the line to the terminal width', () => {
    const out: string[] = []
    const bar = new SyncProgressBar({ write: (t: string) => out.push(t), columns: 30 }, () => syncing(1, 100))
    bar.tick()
    expect((out[0] as string).replace('\r\x1b[2K', '')).toHaveLength(29)
  })
})
