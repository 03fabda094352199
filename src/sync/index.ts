/** `/peerchain/<chainId>/sync/1`: headers by locator, blocks by hash; the serving handler and the synchronizer. */
export { createSyncClient, type SyncClient, type SyncClientOptions, type SyncSend } from './client.js'
export { SyncAborted, SyncPeerError } from './faults.js'
export { createSyncHandler, type SyncHandlerOptions, type SyncSource } from './handler.js'
export * from './limits.js'
export { buildLocator, locatorHeights } from './locator.js'
export { SYNC_DEFAULTS, Synchronizer, type SynchronizerOptions } from './synchronizer.js'
export type { LocalHead, PeerHead, SyncFns, SyncProgress } from './types.js'
