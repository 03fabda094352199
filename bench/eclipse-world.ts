/**
 * The world of one eclipse run (bench/eclipse.ts): who exists, where, and who
 * answers a dial. Built from a seed so any run can be replayed.
 *
 * - Honest nodes: `honest` reachable-or-not addresses spread over
 *   `honestGroups` IPv4 /16s (11.0/16 … 14.x/16), one peer id each; each is
 *   reachable with probability `honestReachable` (fixed for the run).
 * - The attacker: 256 IPs in 4 /16 groups (66.0–66.3), always reachable,
 *   with as many peer ids and ports as it likes (throwaway keys).
 * - Trash: addresses the attacker makes up anywhere in IPv4; nobody answers.
 */
import type { PeerAddress } from '../src/peers/types.js'
import type { Rng } from '../src/util/rng.js'

export interface EclipseScenario {
  honest: number
  honestGroups: number
  honestReachable: number
  attackerGroups: number
  attackerIpsPerGroup: number
  /** Simulated length of a run. */
  durationMs: number
  /** Mean uptime between restarts (Poisson restarts). */
  restartMeanMs: number
  /** How long the node stays down at a restart. */
  downtimeMs: number
  /** Simulation step: every periodic event is evaluated once per step. */
  stepMs: number
  /** New inbound connections the attacker opens per simulated minute, each with a fresh key. */
  attackerInboundPerMin: number
  /** Listen addresses each reports in identify besides its own: more of its own or trash, as `attackerTrashShare` says. */
  attackerInboundExtraAddrs: number
  /** Addresses an attacker peer we dialed pushes at us (its identify and DHT answers), once per connection and then per hour. */
  attackerGossipBatch: number
  /** Share of an attacker gossip batch that is trash (addresses nobody answers at). */
  attackerTrashShare: number
  /** Every this often, each honest outbound peer tells us `honestGossipBatch` addresses it knows. */
  honestGossipEveryMs: number
  honestGossipBatch: number
  /** Share of honest gossip that is attacker addresses (the attacker is connected to honest nodes too). */
  honestGossipAttackerShare: number
  /** Mean lifetime of a connection to an honest peer (it goes offline, restarts...). */
  honestConnectionMeanMs: number
  /** Before the attack: honest nodes the victim was connected to in the past week (they are in tried / the known-peer book). */
  warmConnected: number
  /** Dials at most per refill round, then the slots wait for the next step. */
  dialsPerRoundMax: number
}

const HOUR = 3_600_000

export const DEFAULT_SCENARIO: EclipseScenario = {
  honest: 5_000,
  honestGroups: 1_000,
  honestReachable: 0.6,
  attackerGroups: 4,
  attackerIpsPerGroup: 64,
  durationMs: 24 * HOUR,
  restartMeanMs: 4 * HOUR,
  downtimeMs: 5 * 60_000,
  stepMs: 60_000,
  attackerInboundPerMin: 2,
  attackerInboundExtraAddrs: 1,
  attackerGossipBatch: 20,
  attackerTrashShare: 0.5,
  honestGossipEveryMs: 60 * 60_000,
  honestGossipBatch: 5,
  honestGossipAttackerShare: 0.1,
  honestConnectionMeanMs: 8 * HOUR,
  warmConnected: 300,
  dialsPerRoundMax: 100,
}

export type NodeKind = 'honest' | 'attacker' | 'trash'

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** A string with the shape of a libp2p peer id (anchors.json checks the shape), unique per (kind, n). */
export function fakePeerId(kind: NodeKind, n: number): string {
  let digits = ''
  let rest = n
  do {
    digits = BASE58[rest % 58] + digits
    rest = Math.floor(rest / 58)
  } while (rest > 0)
  return `12D3KooW${kind[0]}${digits.padStart(43, '1')}`
}

export const tcp = (ip: string, port: number): string => `/ip4/${ip}/tcp/${port}`

/** The honest and attacker addresses of a scenario: the same in every run (only reachability varies), so built once. */
interface Population {
  honest: PeerAddress[]
  honestIps: string[]
  honestByAddr: Map<string, number>
  attackerIps: string[]
}

const populations = new Map<string, Population>()

function populationOf(s: EclipseScenario): Population {
  const key = [s.honest, s.honestGroups, s.attackerGroups, s.attackerIpsPerGroup].join(' ')
  let population = populations.get(key)
  if (population === undefined) {
    population = { honest: [], honestIps: [], honestByAddr: new Map(), attackerIps: [] }
    for (let i = 0; i < s.honest; i++) {
      const group = i % s.honestGroups
      const host = Math.floor(i / s.honestGroups)
      const ip = `${11 + Math.floor(group / 250)}.${group % 250}.${host % 250}.${1 + ((i * 37) % 250)}`
      population.honest.push({ peer: fakePeerId('honest', i), addr: tcp(ip, 9000) })
      population.honestIps.push(ip)
      population.honestByAddr.set(tcp(ip, 9000), i)
    }
    for (let g = 0; g < s.attackerGroups; g++)
      for (let k = 0; k < s.attackerIpsPerGroup; k++) population.attackerIps.push(`66.${g}.${k}.${1 + (k % 200)}`)
    populations.set(key, population)
  }
  return population
}

export class EclipseWorld {
  readonly honest: readonly PeerAddress[]
  readonly honestIps: readonly string[]
  private readonly honestByAddr: ReadonlyMap<string, number>
  readonly attackerIps: readonly string[]
  private readonly reachable: boolean[] = []
  private attackerIds = 0
  private trashIds = 0

  constructor(
    readonly scenario: EclipseScenario,
    private readonly rng: Rng,
  ) {
    const population = populationOf(scenario)
    this.honest = population.honest
    this.honestIps = population.honestIps
    this.honestByAddr = population.honestByAddr
    this.attackerIps = population.attackerIps
    for (let i = 0; i < scenario.honest; i++) this.reachable.push(rng.next() < scenario.honestReachable)
  }

  kindOf(addr: string): NodeKind {
    if (this.honestByAddr.has(addr)) return 'honest'
    return addr.startsWith('/ip4/66.') && Number(addr.split('.')[1]) < this.scenario.attackerGroups
      ? 'attacker'
      : 'trash'
  }

  /** Whether a dial to `addr` succeeds: the attacker always answers, an honest node if it is reachable, trash never. */
  answers(addr: PeerAddress): boolean {
    const kind = this.kindOf(addr.addr)
    if (kind === 'attacker') return true
    if (kind === 'trash') return false
    const i = this.honestByAddr.get(addr.addr) as number
    return this.reachable[i] === true && this.honest[i]?.peer === addr.peer
  }

  isAttacker(addr: PeerAddress): boolean {
    return this.kindOf(addr.addr) === 'attacker'
  }

  randomHonest(): PeerAddress {
    return this.honest[this.rng.int(this.honest.length)] as PeerAddress
  }

  randomHonestReachable(): number {
    for (;;) {
      const i = this.rng.int(this.honest.length)
      if (this.reachable[i]) return i
    }
  }

  randomAttackerIp(): string {
    return this.attackerIps[this.rng.int(this.attackerIps.length)] as string
  }

  /** A fresh attacker identity listening on one of its IPs. */
  newAttackerAddress(): PeerAddress {
    const ip = this.randomAttackerIp()
    return { peer: fakePeerId('attacker', this.attackerIds++), addr: tcp(ip, 1024 + this.rng.int(60_000)) }
  }

  /** An address nobody answers at, anywhere in unicast IPv4 outside the honest and attacker ranges. */
  newTrashAddress(): PeerAddress {
    const a = 20 + this.rng.int(40)
    const ip = `${a}.${this.rng.int(256)}.${this.rng.int(256)}.${1 + this.rng.int(254)}`
    return { peer: fakePeerId('trash', this.trashIds++), addr: tcp(ip, 1024 + this.rng.int(60_000)) }
  }

  /** The listen addresses a fresh attacker identity reports in identify: its own, then `extra` more of its own or trash. */
  attackerListenAddrs(extra: number): PeerAddress[] {
    const own = this.newAttackerAddress()
    return [own, ...this.attackerBatch(extra).map((a) => ({ peer: own.peer, addr: a.addr }))]
  }

  /** What an attacker peer pushes at us: its fresh identities and trash. */
  attackerBatch(size: number): PeerAddress[] {
    return Array.from({ length: size }, () =>
      this.rng.next() < this.scenario.attackerTrashShare ? this.newTrashAddress() : this.newAttackerAddress(),
    )
  }

  /** What an honest peer tells us: addresses it knows, some of them the attacker's. */
  honestBatch(size: number): PeerAddress[] {
    return Array.from({ length: size }, () =>
      this.rng.next() < this.scenario.honestGossipAttackerShare ? this.newAttackerAddress() : this.randomHonest(),
    )
  }
}
