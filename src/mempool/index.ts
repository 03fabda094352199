export type { PoolEntry, TxStatus } from './entry.js'
export {
  type AddResult,
  type HeadTxs,
  Mempool,
  type PoolTxInfo,
  type ResetResult,
  type TxAddedListener,
  type TxDroppedListener,
  type TxSource,
} from './mempool.js'
export { MEMPOOL_DEFAULTS, type MempoolConfig, type MempoolDeps, type MempoolOptions } from './options.js'
export type { TemplateLimits } from './template.js'
