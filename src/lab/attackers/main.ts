/**
 * One lab attacker, in its own process (so its work never slows the lab's
 * clock): `node main.js '<json AttackerTask>'`. It prints one JSON line
 * `{"event":"identity","peerId":…}` per peer id it takes on, and stops on
 * SIGTERM (or when its parent exits).
 *
 * - `unfunded-flood`: validly signed txs from unfunded keys at `rate`/s,
 *   a fresh key whenever the honest nodes cut the last one.
 * - `junk-gossip`: random bytes on the tx topic at `rate`/s, the same way.
 * - `sybil-inbound`: `rate` identities at once (at most 16) from the attacker's subnet,
 *   each passing the status handshake and squatting an inbound slot; a cut
 *   one is replaced by a new one.
 * - `addr-flood`: identities from every address of the attacker's subnet in
 *   turn, each staying a few seconds: the nodes learn a flood of attacker
 *   addresses (identify), the raw material of an eclipse.
 * - `sync-staller`: identities that claim a far better chain in their status
 *   and never answer a sync request.
 */
import '../../util/shims.js'
import { syncProtocol } from '../../relay/topics.js'
import { SYNC_REQUEST_LIMITS } from '../../sync/limits.js'
import { fromHex } from '../../util/bytes.js'
import { seededRng } from '../../util/rng.js'
import { connectIdentity, type FlooderInit, flood, unfundedTxs } from './gossip-flood.js'

export interface AttackerTask {
  kind: 'junk-gossip' | 'unfunded-flood' | 'sybil-inbound' | 'addr-flood' | 'sync-staller'
  chainId: string
  genesisHash: string
  targets: string[]
  ip: string
  /** `127.9.9`: identities may take any address 127.9.9.1-250. */
  ipGroup?: string
  rate: number | null
  seed: number
}

const task = JSON.parse(process.argv[2] ?? '{}') as AttackerTask
const controller = new AbortController()
process.on('SIGTERM', () => controller.abort())
process.on('disconnect', () => controller.abort())
const say = (peerId: string): void => {
  process.stdout.write(`${JSON.stringify({ event: 'identity', peerId })}\n`)
}
const init = (ip: string, claim?: FlooderInit['claim']): FlooderInit => ({
  chainId: task.chainId,
  genesisHash: fromHex(task.genesisHash),
  targets: task.targets,
  labIp: ip,
  ...(claim ? { claim } : {}),
})
const LONG_MS = 24 * 3600_000
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
/** Identities one attacker process keeps up at once: each is a whole libp2p host. */
const WIDTH_MAX = 16
const width = (fallback: number): number => Math.min(WIDTH_MAX, Math.max(1, Math.round(task.rate ?? fallback)))
const ipAt = (i: number): string => (task.ipGroup ? `${task.ipGroup}.${1 + (i % 250)}` : task.ip)

/** Keeps `width` identities up, each for at most `stayMs`, replacing any that every target has cut. */
async function squat(width: number, stayMs: number, claim?: FlooderInit['claim']): Promise<void> {
  let made = 0
  const one = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      const ip = ipAt(made++)
      const network = await connectIdentity(init(ip, claim), Date.now() + 10_000, 'any')
      if (!network) {
        await sleep(1_000)
        continue
      }
      say(network.peerId)
      if (claim) await network.handle(syncProtocol(task.chainId), () => new Promise(() => {}), SYNC_REQUEST_LIMITS)
      const until = Date.now() + stayMs
      while (!controller.signal.aborted && Date.now() < until && network.peers().length > 0) await sleep(200)
      await network.stop()
    }
  }
  await Promise.all(Array.from({ length: width }, one))
}

async function main(): Promise<void> {
  switch (task.kind) {
    case 'unfunded-flood':
    case 'junk-gossip': {
      const rng = seededRng(task.seed)
      const payloads =
        task.kind === 'unfunded-flood'
          ? unfundedTxs(task.chainId, 5_000)
          : Array.from({ length: 2_000 }, () => ({
              bytes: Uint8Array.from({ length: 64 + rng.int(400) }, () => rng.int(256)),
            }))
      await flood(init(task.ip), payloads, {
        ratePerSec: task.rate ?? 1_000,
        durationMs: LONG_MS,
        rotate: true,
        onIdentity: say,
        signal: controller.signal,
      })
      return
    }
    case 'sybil-inbound':
      return squat(width(8), LONG_MS)
    case 'addr-flood':
      return squat(width(4), 5_000)
    case 'sync-staller':
      return squat(width(2), LONG_MS, { headHeight: 1_000_000n, totalWork: 1n << 200n })
  }
}

main()
  .catch((err) => {
    process.stderr.write(`attacker ${task.kind}: ${(err as Error).message}\n`)
    process.exitCode = 1
  })
  .finally(() => process.exit())
