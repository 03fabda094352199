/** Compact blocks (BIP152's scheme): see compact-relay.ts. */
export type { CompactLimits } from './compact-codec.js'
export { CompactRelay, compactProtocol, compactServeLimits } from './compact-relay.js'
export { RecentTxs } from './recent-txs.js'
export { compactMessageLimits, compactMessageProtocol, MISSING_TXS_TIMEOUT_MS } from './send.js'
export type {
  CompactChain,
  CompactDeps,
  CompactNet,
  CompactObserver,
  CompactTxSources,
  FallbackReason,
} from './types.js'
