/** The files exchange: the `/peerchain/<chainId>/files/1` protocol, its server and the multi-provider download. */
export { blockMatches, checkCid, cidFromBytes, parseCid } from './cid.js'
export { FilesCidError, FilesDagError, FilesFetchError, FilesWireError } from './errors.js'
export { combineProviders, type FetchDagOptions, type FilesNetwork, fetchDag, type ProviderSource } from './fetch.js'
export { createFilesHandler, type FilesHandlerOptions } from './handler.js'
export { type AnswerHasher, HashWorkers, inThreadHasher } from './hasher.js'
export {
  DEFAULT_FETCH_LIMITS,
  type FetchLimits,
  FILES_REQUEST_LIMITS,
  FILES_SERVE_LIMITS,
  FILES_SERVE_QUOTA,
  filesProtocol,
} from './limits.js'
export type { FetchProgress } from './progress.js'
export { type BlockstoreLike, type ExchangeStore, exchangeStoreOf } from './store.js'
