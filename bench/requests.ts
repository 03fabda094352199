/**
 * A request's round trips over real libp2p (`npm run bench -- requests`):
 * two lab-mode hosts in this process, on 127.0.1.1 and 127.0.2.1, joined by
 * the lab's link shaper at 100 ms one way (a 200 ms round trip). The east host
 * sends REQUESTS requests in a row (as sync sends its batches), each
 * answered with RESPONSE_BYTES, first each on a stream of its own (how every
 * request went before warm-streams.ts: multistream-select agrees on the
 * protocol, a round trip, before the request's first byte), then with
 * streams opened ahead. Figures: the p50 and p90 of a request's time, and the
 * p50 in round trips of the link.
 */
import '../src/util/shims.js'
import type { Host } from '../src/net/host.js'
import type { RequestLimits } from '../src/net/network.js'
import { sendRequest, serveRequests, streamHandlerOptions } from '../src/net/request.js'
import { type OpenStream, WarmStreams } from '../src/net/warm-streams.js'
import { systemTimers } from '../src/util/timers.js'
import { EAST_IP, eastWestShaper, labHost, WEST_IP } from '../test/helpers/lab-hosts.js'
import { report } from './common.js'

const ONE_WAY_MS = 100
const REQUESTS = 20
const RESPONSE_BYTES = 1024
const PROTOCOL = '/peerchain/bench/req/1'
const LIMITS: RequestLimits = { requestBytesMax: 1024, responseBytesMax: 64 * 1024, timeoutMs: 10_000 }
const noLog = (): void => {}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number

async function timeRequests(open: OpenStream, peer: string, warm?: WarmStreams): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now()
    await sendRequest(open, peer, PROTOCOL, new Uint8Array(64), LIMITS, undefined, warm)
    times.push(performance.now() - started)
    // let the stream for the next request be opened, as between sync's batches while one is imported
    await new Promise((resolve) => setTimeout(resolve, 3 * ONE_WAY_MS))
  }
  return times.sort((a, b) => a - b)
}

export async function run(): Promise<void> {
  const east = await labHost(EAST_IP, eastWestShaper(EAST_IP, ONE_WAY_MS), 'bench')
  const west = await labHost(WEST_IP, eastWestShaper(WEST_IP, ONE_WAY_MS), 'bench')
  try {
    const answer = new Uint8Array(RESPONSE_BYTES)
    await west.handle(
      PROTOCOL,
      serveRequests(PROTOCOL, async () => answer, LIMITS, noLog),
      streamHandlerOptions(),
    )
    await east.dial(west.getMultiaddrs()[0] as ReturnType<Host['getMultiaddrs']>[0])
    const peer = west.peerId.toString()
    const open: OpenStream = (_peer, protocol, signal) => east.dialProtocol(west.peerId, protocol, { signal })
    const fresh = await timeRequests(open, peer)
    const warm = new WarmStreams(open, systemTimers, noLog)
    const ahead = await timeRequests(open, peer, warm)
    warm.closeAll()
    const rtt = 2 * ONE_WAY_MS
    report('request_ms_p50', percentile(ahead, 50), 'ms', {
      without: percentile(fresh, 50),
      p90: percentile(ahead, 90),
      p90_without: percentile(fresh, 90),
      round_trips_p50: percentile(ahead, 50) / rtt,
      round_trips_p50_without: percentile(fresh, 50) / rtt,
      link_round_trip_ms: rtt,
      requests: REQUESTS,
      response_bytes: RESPONSE_BYTES,
      streams_taken: warm.stats.taken,
    })
  } finally {
    await Promise.allSettled([east.stop(), west.stop()])
  }
}
