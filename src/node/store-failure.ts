/**
 * A failed store write (a full disk) stops the node: the chain has stopped
 * writing already (what is on disk is the last batch that landed, a chain the
 * next start opens), so the node says why in one line, closes, and exits
 * non-zero for its supervisor. The operator frees space and starts it again.
 */
import type { StoreWriteError } from '../chain/errors.js'

export interface StoreFailureDeps {
  onHalt(listener: (err: StoreWriteError) => void): unknown
  log: { error(msg: string, fields?: Record<string, unknown>): void }
  /** Closes the node (API, network, store). */
  stop(): Promise<void>
  exit(code: number): void
}

/** Exit code of a node stopped by a failed store write. */
export const STORE_FAILURE_EXIT_CODE = 1

export function stopOnStoreFailure(deps: StoreFailureDeps): void {
  let stopping = false
  deps.onHalt((err) => {
    if (stopping) return
    stopping = true
    deps.log.error(
      err.diskFull
        ? 'the disk is full: the node stops; free space and start it again (the chain on disk is consistent)'
        : 'a chain store write failed: the node stops; start it again once the disk is fixed (the chain on disk is consistent)',
      { error: err.message },
    )
    // Whatever closing meets (the store may refuse more I/O), the process must end.
    deps
      .stop()
      .catch(() => undefined)
      .finally(() => deps.exit(STORE_FAILURE_EXIT_CODE))
  })
}
