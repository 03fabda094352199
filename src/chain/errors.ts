/**
 * Errors of the chain store: our own data, never a peer's fault. None of them
 * is a VerifyError, so relay and sync treat them as internal and charge nobody.
 */
import { toHex } from '../util/bytes.js'

/** The chain store cannot be used as it is (another chain's data, a missing record): our data, not a peer's fault. */
export class ChainStoreError extends Error {
  override readonly name: string = 'ChainStoreError'
}

/** A store key as a person reads it: its one-letter family (layout.ts), then the rest in hex. */
export function describeKey(key: Uint8Array): string {
  const family = String.fromCharCode(key[0] ?? 0x3f)
  const rest = key.subarray(1)
  // 'm' keys are names ('head', 'genesis'), not hashes.
  if (family === 'm') return `m/${new TextDecoder().decode(rest)}`
  return `${family}/${toHex(rest)}`
}

/**
 * Bytes read back from the store that do not decode, or a record the store
 * must hold and does not: the disk or our own code corrupted it. Names the key.
 */
export class StoreCorruptError extends ChainStoreError {
  override readonly name = 'StoreCorruptError'
  readonly key: string

  constructor(key: Uint8Array, reason: string) {
    const name = describeKey(key)
    super(`corrupt chain store at key ${name}: ${reason}`)
    this.key = name
  }
}

/**
 * A write to the store failed (a full disk, an I/O error). The chain stops
 * writing after it: what is on disk is the last batch that landed, which is
 * consistent, and the next start opens it.
 */
export class StoreWriteError extends ChainStoreError {
  override readonly name = 'StoreWriteError'
  /** The disk is full (ENOSPC): the operator frees space and starts the node again. */
  readonly diskFull: boolean

  constructor(override readonly cause: unknown) {
    const full = isDiskFull(cause)
    const detail = cause instanceof Error ? cause.message : String(cause)
    super(full ? `the disk is full: ${detail}` : `a chain store write failed: ${detail}`)
    this.diskFull = full
  }
}

/** ENOSPC from a file write, or LevelDB's IO error text for it. */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return true
  if (/no space left on device|ENOSPC/i.test(err.message)) return true
  return err.cause !== undefined && err.cause !== err && isDiskFull(err.cause)
}

/** The chain stopped writing after a StoreWriteError; restart the node. */
export class ChainHaltedError extends ChainStoreError {
  override readonly name = 'ChainHaltedError'

  constructor(override readonly cause: StoreWriteError) {
    super(`the chain has stopped after a failed store write (${cause.message}): restart the node`)
  }
}
