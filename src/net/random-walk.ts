import { randomBytes } from 'node:crypto'
import type { Host } from './host.js'
import type { NetworkLog } from './options.js'
import { describe } from './request.js'

/** A DHT lookup of a random key this often finds peers beyond the bootstrap and known ones. */
export const RANDOM_WALK_INTERVAL_MS = 30_000
/** The first walk, soon after start, once the bootstrap dials have had a chance. */
export const RANDOM_WALK_FIRST_DELAY_MS = 3_000
export const RANDOM_WALK_TIMEOUT_MS = 20_000

/** Runs getClosestPeers on random keys; every peer it meets goes to `onPeer` with the addresses the DHT gave for it. */
export class RandomWalk {
  private timer: NodeJS.Timeout | undefined
  private walking: AbortController | undefined

  constructor(
    private readonly host: Host,
    private readonly onPeer: (id: string, addrs: string[]) => void,
    private readonly log: NetworkLog,
  ) {}

  start(): void {
    this.schedule(RANDOM_WALK_FIRST_DELAY_MS)
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.walking?.abort()
  }

  /** One walk; resolves with the number of peers it met. */
  async walk(): Promise<number> {
    if (this.host.getConnections().length === 0) return 0
    const controller = new AbortController()
    this.walking = controller
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(RANDOM_WALK_TIMEOUT_MS)])
    let met = 0
    try {
      for await (const event of this.host.services.dht.getClosestPeers(randomBytes(32), { signal })) {
        if (event.name === 'FINAL_PEER') {
          met++
          this.onPeer(
            event.peer.id.toString(),
            event.peer.multiaddrs.map((ma) => ma.toString()),
          )
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) this.log('net: random walk ended early', { err: describe(err) })
    } finally {
      if (this.walking === controller) this.walking = undefined
    }
    this.log('net: random walk done', { met })
    return met
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.walk().finally(() => {
        if (this.timer !== undefined) this.schedule(RANDOM_WALK_INTERVAL_MS)
      })
    }, delayMs)
    this.timer.unref()
  }
}
