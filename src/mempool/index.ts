export type { PoolEntry, TxStatus } from './entry.js'
export {
  type AddResult,
  type HeadChange,
  Mempool,
  type PoolTxInfo,
  type ResetResult,
} from './mempool.js'
export { MEMPOOL_DEFAULTS, type MempoolConfig, type MempoolDeps, type MempoolOptions } from './options.js'
export type { TemplateLimits } from './template.js'
