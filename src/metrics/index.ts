/** Prometheus metrics: a registry per node, peerchain's own metrics, and the /metrics handler. */
export { type MetricsHandler, metricsHandler } from './handler.js'
export {
  type BlockSource,
  type GossipTopic,
  type GossipVerdictLabel,
  NodeMetrics,
  type NodeMetricsSources,
  type PosMetricsSources,
  reasonLabel,
  SYNC_STATE_VALUE,
  type SyncSnapshot,
  type TxSource,
} from './node-metrics.js'
export { createMetricsRegistry } from './registry.js'
