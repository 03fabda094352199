import { describe, expect, it } from 'vitest'
import { CopyCounter, type CopyLimits } from '../../../src/trace/copies.js'
import type { TraceCopies } from '../../../src/trace/format.js'
import { ManualClock } from '../../../src/util/clock.js'

function setup(limits: Partial<CopyLimits> = {}) {
  const clock = new ManualClock(1_000_000)
  const lines: TraceCopies[] = []
  const copies = new CopyCounter(clock, (line) => lines.push(line), { windowMs: 10_000, ...limits })
  return { clock, lines, copies }
}

describe('CopyCounter', () => {
  it('counts every copy of a message, the first included, and writes one line when its window closes', () => {
    const { clock, lines, copies } = setup()
    copies.copy('tx', 'aa', 'p1')
    clock.advance(50)
    copies.copy('tx', 'aa', 'p2')
    copies.copy('tx', 'aa', 'p3')
    clock.advance(9_949)
    copies.sweep()
    expect(lines).toEqual([]) // still inside the window
    clock.advance(1)
    copies.sweep()
    expect(lines).toEqual([{ t: 1_010_000, e: 'copies', k: 'tx', id: 'aa', n: 3 }])
    expect(copies.size).toBe(0)
  })

  it('remembers the first copy: its time and sender', () => {
    const { clock, copies } = setup()
    copies.copy('block', 'm1', 'p1')
    clock.advance(30)
    copies.copy('block', 'm1', 'p2')
    expect(copies.firstSeen('m1')).toEqual({ t: 1_000_000, from: 'p1' })
    expect(copies.identify('m1', 'blockhash')).toEqual({ t: 1_000_000, from: 'p1' })
    expect(copies.identify('unknown', 'x')).toBeUndefined()
  })

  it('writes a block only once identified: an undecodable message gets no line', () => {
    const { clock, lines, copies } = setup()
    copies.copy('block', 'good', 'p1')
    copies.copy('block', 'junk', 'p1')
    copies.identify('good', 'hash1')
    clock.advance(10_000)
    copies.sweep()
    expect(lines).toEqual([{ t: 1_010_000, e: 'copies', k: 'block', id: 'hash1', n: 1 }])
  })

  it("counts a local message's returning copies from 0", () => {
    const { lines, copies } = setup()
    copies.local('block', 'mine', 'hash')
    copies.copy('block', 'mine', 'p1')
    copies.local('tx', 'quiet', 'quiet')
    copies.closeAll()
    expect(lines.map((l) => [l.id, l.n])).toEqual([
      ['hash', 1],
      ['quiet', 0],
    ])
  })

  it('does not count a late copy as a new message', () => {
    const { clock, lines, copies } = setup()
    copies.copy('tx', 'aa', 'p1')
    clock.advance(10_000)
    copies.sweep()
    copies.copy('tx', 'aa', 'p2')
    copies.closeAll()
    expect(lines).toHaveLength(1)
    expect(copies.stats.late).toBe(1)
  })

  it('closes windows in first-seen order, each at its own time', () => {
    const { clock, lines, copies } = setup()
    copies.copy('tx', 'a', 'p')
    clock.advance(4_000)
    copies.copy('tx', 'b', 'p')
    clock.advance(6_000)
    copies.sweep()
    expect(lines.map((l) => l.id)).toEqual(['a'])
    clock.advance(4_000)
    copies.sweep()
    expect(lines.map((l) => l.id)).toEqual(['a', 'b'])
  })

  it('bounds its memory: past entriesMax the oldest window closes early', () => {
    const { lines, copies } = setup({ entriesMax: 100 })
    for (let i = 0; i < 5_000; i++) copies.copy('tx', `m${i}`, 'p')
    expect(copies.size).toBe(100)
    expect(copies.stats.closedEarly).toBe(4_900)
    expect(lines.map((l) => l.id).slice(0, 3)).toEqual(['m0', 'm1', 'm2'])
    copies.closeAll()
    expect(lines).toHaveLength(5_000)
  })
})
