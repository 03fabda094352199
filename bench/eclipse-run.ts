/**
 * One simulated day of an eclipse attack on one victim (bench/eclipse.ts
 * runs a thousand). Simulated time only, in steps of `stepMs`; every random
 * choice comes from seeded generators, so a run replays from its seed.
 *
 * Before the day: the victim knows the honest addresses (DHT answers from
 * honest peers over the past week) and was connected to `warmConnected`
 * reachable honest nodes. Then, from t = 0:
 *
 * - the attacker opens inbound connections with fresh keys from its 256 IPs
 *   and each reports its listen address in identify;
 * - an outbound peer tells us addresses when we connect and periodically:
 *   an honest one a few addresses it knows (some the attacker's), an
 *   attacker one a flood of its identities and trash;
 * - honest outbound connections end now and then (the peer goes away); the
 *   victim refills its slots each step, a failed dial moving on to the next;
 * - the victim opens feelers when its policy asks;
 * - it restarts at Poisson times: everything drops, it is down a few
 *   minutes, then it starts again from what it persisted.
 *
 * Measured: the outbound slots the attacker holds at the end of the day and
 * after each restart's refill.
 */

import { ipOfAddr } from '../src/peers/net-group.js'
import type { PeerAddress } from '../src/peers/types.js'
import { exponential, type Rng, seededRng } from '../src/util/rng.js'
import { groupOfAddr, isOutboundSlot } from './eclipse-new-manager.js'
import type { Connection, Dial, VictimPolicy } from './eclipse-policy.js'
import { DEFAULT_SCENARIO, type EclipseScenario, EclipseWorld } from './eclipse-world.js'

const WEEK_MS = 7 * 24 * 3_600_000
const ATTACKER_GOSSIP_EVERY_MS = 3_600_000

export interface RunResult {
  /** Attacker-held outbound slots at the end of the day. */
  attackerSlotsAtEnd: number
  /** Outbound slots held at the end of the day (10 when full). */
  slotsAtEnd: number
  /** Attacker-held outbound slots right after each restart's refill. */
  attackerSlotsAfterRestarts: number[]
}

/** The simulated clock a run and its policy share. */
export class SimClock {
  now = 0
  nowMs(): number {
    return this.now
  }
}

/**
 * Runs one day. `makePolicy` builds the victim's policy on the run's clock
 * and its own generator (seeded from `seed`, apart from the world's).
 */
export function runEclipse(
  makePolicy: (clock: SimClock, rng: Rng) => VictimPolicy,
  seed: number,
  scenario: EclipseScenario = DEFAULT_SCENARIO,
): RunResult {
  const clock = new SimClock()
  const world = new EclipseWorld(scenario, seededRng(seed))
  const events = seededRng(seed ^ 0x5eed)
  const restarts = seededRng(seed ^ 0x7e57a7)
  const policy = makePolicy(clock, seededRng(seed ^ 0xc0ffee))
  const sim = new Simulation(world, policy, events, clock)
  sim.warmUp()

  clock.now = 0
  policy.start(0)
  const afterRestarts: number[] = []
  let nextRestartMs = exponential(restarts, scenario.restartMeanMs)
  let nextHonestGossipMs = scenario.honestGossipEveryMs
  let nextAttackerGossipMs = ATTACKER_GOSSIP_EVERY_MS
  sim.refill()
  while (clock.now < scenario.durationMs) {
    clock.now += scenario.stepMs
    if (clock.now >= nextRestartMs) {
      sim.restart()
      afterRestarts.push(sim.attackerSlots())
      nextRestartMs = clock.now + exponential(restarts, scenario.restartMeanMs)
      continue
    }
    sim.attackerInbound()
    sim.honestChurn()
    if (clock.now >= nextHonestGossipMs) {
      sim.gossip(false)
      nextHonestGossipMs += scenario.honestGossipEveryMs
    }
    if (clock.now >= nextAttackerGossipMs) {
      sim.gossip(true)
      nextAttackerGossipMs += ATTACKER_GOSSIP_EVERY_MS
    }
    sim.feeler()
    sim.refill()
  }
  return {
    attackerSlotsAtEnd: sim.attackerSlots(),
    slotsAtEnd: sim.current.filter((c) => isOutboundSlot(c.type)).length,
    attackerSlotsAfterRestarts: afterRestarts,
  }
}

class Simulation {
  current: Connection[] = []

  constructor(
    private readonly world: EclipseWorld,
    private readonly policy: VictimPolicy,
    private readonly rng: Rng,
    private readonly clock: SimClock,
  ) {}

  private get scenario(): EclipseScenario {
    return this.world.scenario
  }

  /**
   * The week before: the victim was connected to `warmConnected` reachable
   * honest nodes, and they told it every honest address (DHT answers).
   */
  warmUp(): void {
    const { honest, honestIps } = this.world
    const known = Array.from({ length: this.scenario.warmConnected }, () => this.world.randomHonestReachable())
    const batches = Math.ceil(honest.length / 20)
    for (let b = 0; b < batches; b++) {
      this.clock.now = -WEEK_MS + Math.floor((b / batches) * WEEK_MS)
      const source = honestIps[known[this.rng.int(known.length)] as number] as string
      this.policy.learned(honest.slice(b * 20, b * 20 + 20), source, this.clock.now)
    }
    known.forEach((i, k) => {
      this.clock.now = -WEEK_MS + Math.floor(((k + 0.5) / known.length) * WEEK_MS)
      const addr = honest[i] as PeerAddress
      this.policy.outboundConnected(addr, 'full-relay', this.clock.now)
      this.policy.identified(addr.peer, honestIps[i] as string, [addr.addr], true, this.clock.now)
      this.policy.disconnected(addr)
    })
  }

  attackerSlots(): number {
    return this.current.filter((c) => c.attacker && isOutboundSlot(c.type)).length
  }

  /** Dials until the policy has nothing more to ask this round. */
  refill(): void {
    for (let n = 0; n < this.scenario.dialsPerRoundMax; n++) {
      const dial = this.policy.nextDial(this.current, this.clock.now)
      if (dial === undefined) return
      this.dial(dial)
    }
  }

  private dial(dial: Dial): void {
    const addr = dial.addrs.find((a) => this.world.answers({ peer: dial.peer, addr: a }))
    if (addr === undefined) {
      this.policy.dialFailed(dial)
      return
    }
    const target = { peer: dial.peer, addr }
    const attacker = this.world.isAttacker(target)
    this.current.push({ peer: dial.peer, addr, group: groupOfAddr(addr), type: dial.type, attacker })
    const ip = ipOfAddr(addr) as string
    this.policy.outboundConnected(target, dial.type, this.clock.now)
    this.policy.identified(dial.peer, ip, [addr], true, this.clock.now)
    this.tell(attacker, ip, dial.peer)
  }

  /** What a connected outbound peer at `ip` tells us. */
  private tell(attacker: boolean, ip: string, peer: string): void {
    const addrs = attacker
      ? this.world.attackerBatch(this.scenario.attackerGossipBatch)
      : this.world.honestBatch(this.scenario.honestGossipBatch)
    this.policy.learned(addrs, ip, this.clock.now, peer)
  }

  gossip(attacker: boolean): void {
    for (const c of this.current)
      if (c.attacker === attacker && c.type !== 'inbound') this.tell(attacker, ipOfAddr(c.addr) as string, c.peer)
  }

  attackerInbound(): void {
    const count = (this.scenario.attackerInboundPerMin * this.scenario.stepMs) / 60_000
    for (let i = 0; i < count; i++) {
      const listen = this.world.attackerListenAddrs(this.scenario.attackerInboundExtraAddrs)
      const [own] = listen as [PeerAddress]
      const addrs = listen.map((a) => a.addr)
      this.policy.identified(own.peer, ipOfAddr(own.addr) as string, addrs, false, this.clock.now)
    }
  }

  /** Honest peers go away now and then; the attacker never lets go. */
  honestChurn(): void {
    const p = this.scenario.stepMs / this.scenario.honestConnectionMeanMs
    this.current = this.current.filter((c) => {
      if (c.attacker || this.rng.next() >= p) return true
      this.policy.disconnected({ peer: c.peer, addr: c.addr })
      return false
    })
  }

  feeler(): void {
    const feeler = this.policy.nextFeeler(this.current, this.clock.now)
    if (feeler === undefined) return
    const ok = this.world.answers(feeler)
    if (ok) this.policy.identified(feeler.peer, ipOfAddr(feeler.addr) as string, [feeler.addr], true, this.clock.now)
    this.policy.feelerDone(feeler, ok)
  }

  restart(): void {
    this.policy.stop(this.current)
    for (const c of this.current) this.policy.disconnected({ peer: c.peer, addr: c.addr })
    this.current = []
    this.clock.now += this.scenario.downtimeMs
    this.policy.start(this.clock.now)
    this.refill()
  }
}
