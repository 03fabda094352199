/**
 * A KvStore that SIGKILLs its own process at a chosen write: while its N-th
 * batch is in flight, or just after that batch has landed and before the
 * caller sees it. A timer rarely hits the instant between two batches; this
 * hits it on purpose, so a write that should be one batch but is two shows up.
 */
import type { BatchOp, KvStore, RangeOptions } from '../../src/storage/kv.js'

export interface CrashPoint {
  /** 1-based count of batch calls. */
  batch: number
  when: 'during' | 'after'
}

/** Parses `<batch>:<during|after>` (the form the crash test passes in the environment). */
export function parseCrashPoint(text: string | undefined): CrashPoint | undefined {
  const match = text === undefined ? null : /^([1-9][0-9]*):(during|after)$/.exec(text)
  return match ? { batch: Number(match[1]), when: match[2] as CrashPoint['when'] } : undefined
}

export const formatCrashPoint = (point: CrashPoint): string => `${point.batch}:${point.when}`

export class CrashingStore implements KvStore {
  private batches = 0

  constructor(
    private readonly inner: KvStore,
    private readonly point: CrashPoint,
  ) {}

  open(): Promise<void> {
    return this.inner.open()
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(key)
  }

  getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    return this.inner.getMany(keys)
  }

  entries(range: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    return this.inner.entries(range)
  }

  async batch(ops: BatchOp[]): Promise<void> {
    if (++this.batches !== this.point.batch) return this.inner.batch(ops)
    const landing = this.inner.batch(ops)
    if (this.point.when === 'during') process.kill(process.pid, 'SIGKILL')
    await landing
    process.kill(process.pid, 'SIGKILL')
  }
}
