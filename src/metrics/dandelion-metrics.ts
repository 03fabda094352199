/**
 * Dandelion++'s counters (docs/METRICS.md): stem txs taken, fluffs by
 * reason, embargo fires. Fed by the stem relay's hooks (relay/dandelion/),
 * which know nothing of Prometheus.
 */
import { Counter, type Registry } from 'prom-client'
import type { FluffReason } from '../relay/dandelion/index.js'

/** The counters' side of DandelionHooks. */
export interface DandelionMetricHooks {
  onStemTx(own: boolean): void
  onFluff(reason: FluffReason): void
  onEmbargoFire(): void
}

export function dandelionMetricHooks(registry: Registry): DandelionMetricHooks {
  const registers = [registry]
  const stemTxs = new Counter({
    name: 'peerchain_dandelion_stem_txs_total',
    help: 'Txs taken into the private stem pool, by origin (own: sent here; relayed: a peer stemmed it to us).',
    labelNames: ['origin'],
    registers,
  })
  const fluffs = new Counter({
    name: 'peerchain_dandelion_fluffs_total',
    help: 'Stem txs this node fluffed into gossip, by reason.',
    labelNames: ['reason'],
    registers,
  })
  const embargoFires = new Counter({
    name: 'peerchain_dandelion_embargo_fires_total',
    help: 'Stem txs whose embargo timer fired before they came back in gossip (fluffed here).',
    registers,
  })
  return {
    onStemTx: (own: boolean) => stemTxs.inc({ origin: own ? 'own' : 'relayed' }),
    onFluff: (reason: FluffReason) => fluffs.inc({ reason }),
    onEmbargoFire: () => embargoFires.inc(),
  }
}
