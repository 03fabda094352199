import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { dandelionMetricHooks } from '../../../../src/metrics/dandelion-metrics.js'

describe('Dandelion metrics', () => {
  it('counts stem txs by origin, fluffs by reason and embargo fires', async () => {
    const registry = new Registry()
    const hooks = dandelionMetricHooks(registry)
    hooks.onStemTx(true)
    hooks.onStemTx(false)
    hooks.onStemTx(false)
    hooks.onFluff('embargo')
    hooks.onFluff('diffuser')
    hooks.onEmbargoFire()
    const text = await registry.metrics()
    expect(text).toContain('peerchain_dandelion_stem_txs_total{origin="own"} 1')
    expect(text).toContain('peerchain_dandelion_stem_txs_total{origin="relayed"} 2')
    expect(text).toContain('peerchain_dandelion_fluffs_total{reason="embargo"} 1')
    expect(text).toContain('peerchain_dandelion_fluffs_total{reason="diffuser"} 1')
    expect(text).toContain('peerchain_dandelion_embargo_fires_total 1')
  })
})
