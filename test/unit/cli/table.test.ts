import { describe, expect, it } from 'vitest'
import { fitWidths, outputWidth, renderFields, renderTable } from '../../../src/cli/table.js'

describe('renderTable', () => {
  it('aligns columns, right-aligning numbers, with no trailing spaces', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'SCORE', align: 'right' }, { header: 'NOTE' }],
      [
        ['alpha', '5', ''],
        ['b', '-100', 'banned'],
      ],
    )
    expect(text).toBe(['NAME   SCORE  NOTE', 'alpha      5', 'b       -100  banned'].join('\n'))
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd())
  })

  it('prints just the header for no rows', () => {
    expect(renderTable([{ header: 'A' }, { header: 'B' }], [])).toBe('A  B')
  })

  it('counts "…" as one column', () => {
    const text = renderTable([{ header: 'ID' }, { header: 'X' }], [['12D3KooW…RU7M18FA', '1']])
    expect(text.split('\n')).toEqual(['ID                 X', '12D3KooW…RU7M18FA  1'])
  })

  it('keeps values whole when they fit, and cuts the shrinkable columns in the middle when they do not', () => {
    const hash = 'a'.repeat(30) + 'b'.repeat(34)
    const columns = [
      { header: 'HASH', shrink: true },
      { header: 'FEE', align: 'right' as const },
    ]
    expect(renderTable(columns, [[hash, '1 PC']], { maxWidth: 200 }).split('\n')[1]).toBe(`${hash}  1 PC`)

    const cut = renderTable(columns, [[hash, '1 PC']], { maxWidth: 30 }).split('\n')
    for (const line of cut) expect([...line].length).toBeLessThanOrEqual(30)
    expect(cut[1]).toBe(`${'a'.repeat(12)}…${'b'.repeat(11)}  1 PC`)
  })

  it('gives way from the widest shrinkable column first and never cuts short fields', () => {
    const columns = [
      { header: 'A', shrink: true, minWidth: 4 },
      { header: 'B', shrink: true, minWidth: 4 },
      { header: 'STATUS' },
    ]
    // natural 20 + 10 + 6 + two gaps = 40; 8 to lose, all from A, which stays the wider
    expect(fitWidths(columns, [20, 10, 6], 32)).toEqual([12, 10, 6])
    // 20 to lose: A comes down to B at 10, then they give way in turn
    expect(fitWidths(columns, [20, 10, 6], 20)).toEqual([5, 5, 6])
    // below every minimum the table overflows rather than hide STATUS
    expect(fitWidths(columns, [20, 10, 6], 5)).toEqual([4, 4, 6])
  })
})

describe('renderFields', () => {
  it('puts every value in one column', () => {
    expect(
      renderFields([
        ['head', '#12'],
        ['chain id', 'peerchain-devnet'],
        ['memo', ''],
      ]),
    ).toBe(['head      #12', 'chain id  peerchain-devnet', 'memo'].join('\n'))
  })

  it('indents the further lines of a multi-line value to the value column', () => {
    expect(renderFields([['addresses', 'one\ntwo']])).toBe('addresses  one\n           two')
  })
})

describe('outputWidth', () => {
  it('fits a terminal and leaves pipes unlimited', () => {
    expect(outputWidth({ isTTY: true, columns: 80 })).toBe(80)
    expect(outputWidth({ isTTY: false, columns: 80 })).toBe(Number.POSITIVE_INFINITY)
    expect(outputWidth({})).toBe(Number.POSITIVE_INFINITY)
  })
})
