/** Dandelion++ tx relay: stem routing, the stem protocol, the private stem pool and the embargo. */
export { drawEmbargoMs, EMBARGO_MEAN_MS, EmbargoTimers } from './embargo.js'
export { StemError, type StemErrorCode } from './errors.js'
export { DANDELION_EPOCH_MS, FLUFF_PROBABILITY_DEFAULT, type StemRoute, StemRouter } from './routing.js'
export { decodeStemAnswer, encodeStemAnswer, STEM_LIMITS, stemProtocol } from './stem-codec.js'
export { STEM_POOL_BYTES_MAX, STEM_POOL_TXS_MAX, StemPool } from './stem-pool.js'
export {
  type DandelionCounts,
  type DandelionHooks,
  type DandelionOptions,
  DandelionRelay,
  type FluffReason,
  type StemLedgerFns,
  type StemNetFns,
} from './stem-relay.js'
