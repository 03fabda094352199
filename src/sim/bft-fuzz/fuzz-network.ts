/**
 * The fuzz run's modelled network, partially synchronous: before GST each
 * message may be dropped (the scenario's `dropRate`), may not cross its
 * partition (from `partition.fromMs`), and takes up to `preGstDelayMaxMs`;
 * from GST on every message arrives within `delayMinMs` … `delayMaxMs`, plus
 * a late sender's lateness. Nothing is re-sent. Its draws come from the run's
 * one seeded RNG, in the order the sends happen, so a seed replays exactly.
 */
import type { Rng } from '../../util/rng.js'
import type { BftFuzzScenario } from './scenario.js'
import type { VirtualTimers } from './virtual-timers.js'

export interface FuzzNetworkDeps<M> {
  scenario: BftFuzzScenario
  rng: Rng
  timers: VirtualTimers
  /** Counted here: every send, and every message lost. */
  counts: { sent: number; dropped: number }
  /** A validator every message to which is lost, GST or not (the `no-gst` sabotage). */
  unreachable?: number
  /** A message arrives at validator `to`. */
  deliver(to: number, message: M): void
}

export class FuzzNetwork<M> {
  /** Each validator's side of the partition. */
  private readonly groupOf = new Map<number, number>()

  constructor(private readonly deps: FuzzNetworkDeps<M>) {
    deps.scenario.partition?.groups.forEach((group, g) => {
      for (const i of group) this.groupOf.set(i, g)
    })
  }

  /** Sends `message` from validator `from` to `to`; `lateMs` delays everything the sender sends. */
  send(from: number, to: number, message: M, lateMs: number): void {
    const { scenario, rng, timers, counts } = this.deps
    const now = timers.nowMs
    counts.sent++
    const stable = now >= scenario.gstMs
    if (to === this.deps.unreachable) {
      counts.dropped++
      return
    }
    if (!stable) {
      if (rng.next() < scenario.dropRate || this.partitioned(from, to, now)) {
        counts.dropped++
        return
      }
    }
    const spreadMs = (stable ? scenario.delayMaxMs : scenario.preGstDelayMaxMs) - scenario.delayMinMs
    const delayMs = lateMs + scenario.delayMinMs + rng.int(spreadMs + 1)
    timers.at(now + delayMs, (d: { to: number; message: M }) => this.deps.deliver(d.to, d.message), { to, message })
  }

  private partitioned(from: number, to: number, now: number): boolean {
    const partition = this.deps.scenario.partition
    if (!partition || now < partition.fromMs) return false
    const a = this.groupOf.get(from)
    const b = this.groupOf.get(to)
    return a !== undefined && b !== undefined && a !== b
  }
}
