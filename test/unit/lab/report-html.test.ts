/** The report as a whole: the gossip comparison, the Bitcoin reference, and the page's empty sections and escaping. */
import { describe, expect, it } from 'vitest'
import { BITCOIN_REFERENCE, computeReport } from '../../../src/lab/report/compute.js'
import { renderReportHtml } from '../../../src/lab/report/html.js'
import { RunBuilder, richRun } from '../../helpers/lab-run.js'

describe('the report', () => {
  it('compares gossipsub with floodsub only when both ran', () => {
    const both = computeReport([richRun('gossipsub').loaded(), richRun('floodsub').loaded()])
    const row = both.comparison?.find((r) => r.figure === 'block to 90% of nodes, p50')
    // Hop by hop through 5 hops at 90 ms (floodsub 135 ms).
    expect(row).toEqual({ figure: 'block to 90% of nodes, p50', unit: 'ms', values: { gossipsub: 450, floodsub: 675 } })
    expect(both.comparison?.find((r) => r.figure === 'tx copies per node, mean')?.values.floodsub).toBe(4)
    expect(computeReport([richRun('gossipsub').loaded()]).comparison).toBeNull()
    expect(both.bitcoin).toEqual(BITCOIN_REFERENCE)
    expect(BITCOIN_REFERENCE.block).toEqual({ p50Ms: 4060, p90Ms: 18_000, p99Ms: 255_000 })
    expect(BITCOIN_REFERENCE.tx).toEqual({ p50Ms: 800, p90Ms: 3270, p99Ms: null })
  })

  it('says in one line what a run did not have, and escapes every name', async () => {
    const run = new RunBuilder([{ name: 'n<0>' }, { name: 'n1' }])
    run.run.scenario = '<b>quiet</b>'
    const html = await renderReportHtml(computeReport([run.loaded()]))
    expect(html).toContain('No partition in the gossipsub run: no heal to converge after.')
    expect(html).toContain('No attackers in the gossipsub run.')
    expect(html).toContain('Only one gossip protocol was run: no comparison.')
    expect(html).toContain('No tx was propagated.')
    expect(html).toContain('&lt;b&gt;quiet&lt;/b&gt;')
    expect(html).not.toContain('<b>quiet')
    expect(html).not.toMatch(/<script/i)
  })
})
