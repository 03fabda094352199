/**
 * Re-announces the node's held roots in the DHT: provider records expire on
 * the peers that keep them (kad-dht keeps them 48 hours) and live only in
 * their memory, so a node provides everything it holds soon after it starts
 * and again every REPROVIDE_INTERVAL_MS. One provide at a time, at most
 * REPROVIDE_ROOTS_MAX roots a round; timers come from outside.
 */
import type { CID } from 'multiformats/cid'
import type { Timers } from '../util/timers.js'
import type { ContentRouting } from './network.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'

/** Well inside the 48 hours a DHT peer keeps a provider record. */
export const REPROVIDE_INTERVAL_MS = 12 * 60 * 60 * 1000
/** The first round, once the node has had time to connect to its peers. */
export const REPROVIDE_FIRST_DELAY_MS = 30_000
/** Roots provided in one round at most; the rest wait for a later round (the list is read afresh each time). */
export const REPROVIDE_ROOTS_MAX = 10_000

export interface ReproviderDeps {
  routing: Pick<ContentRouting, 'provide'>
  /** The roots the node holds and shares, read at the start of every round. */
  heldRoots(): AsyncIterable<CID> | Iterable<CID>
  timers: Timers
  log: NetworkLog
  intervalMs?: number
  firstDelayMs?: number
}

export interface ReprovideRound {
  provided: number
  failed: number
}

export class Reprovider {
  private timer: unknown
  private running = false
  private round: AbortController | undefined
  private readonly intervalMs: number
  private readonly firstDelayMs: number

  constructor(private readonly deps: ReproviderDeps) {
    this.intervalMs = deps.intervalMs ?? REPROVIDE_INTERVAL_MS
    this.firstDelayMs = deps.firstDelayMs ?? REPROVIDE_FIRST_DELAY_MS
    for (const [key, value] of [
      ['intervalMs', this.intervalMs],
      ['firstDelayMs', this.firstDelayMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be an integer >= 1: ${value}`)
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.schedule(this.firstDelayMs)
  }

  stop(): void {
    this.running = false
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
    this.round?.abort()
  }

  /** One round: provides every held root (up to REPROVIDE_ROOTS_MAX), one at a time; a failure does not stop the others. */
  async provideAll(): Promise<ReprovideRound> {
    const controller = new AbortController()
    this.round = controller
    const result: ReprovideRound = { provided: 0, failed: 0 }
    try {
      for await (const cid of this.deps.heldRoots()) {
        if (controller.signal.aborted || result.provided + result.failed >= REPROVIDE_ROOTS_MAX) break
        try {
          await this.deps.routing.provide(cid, { signal: controller.signal })
          result.provided++
        } catch (err) {
          if (controller.signal.aborted) break
          result.failed++
          this.deps.log('files: could not provide a root', { cid: cid.toString(), err: describe(err) })
        }
      }
    } catch (err) {
      this.deps.log('files: could not list the held roots', { err: describe(err) })
    } finally {
      if (this.round === controller) this.round = undefined
    }
    this.deps.log('files: roots provided', { ...result })
    return result
  }

  private schedule(delayMs: number): void {
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined
      void this.provideAll().finally(() => {
        if (this.running) this.schedule(this.intervalMs)
      })
    }, delayMs)
  }
}
