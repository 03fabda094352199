/** Compact blocks (BIP152's scheme): see compact-relay.ts. */
export type { CompactLimits } from './compact-codec.js'
export { MISSING_TXS_TIMEOUT_MS } from './compact-receive.js'
export { CompactRelay, compactProtocol, compactServeLimits } from './compact-relay.js'
export { compactMessageLimits, compactMessageProtocol } from './deliver.js'
export { RecentTxs } from './recent-txs.js'
export type {
  CompactChain,
  CompactDeps,
  CompactNet,
  CompactObserver,
  CompactTxSources,
  FallbackReason,
} from './types.js'
