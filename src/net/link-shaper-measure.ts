/**
 * The shaper's measured error: the same shaping code (LinkQueue under a
 * ShapedSender) drives a real loopback TCP connection in this process, and
 * each sample's actual one-way delay is compared with the intended one. The
 * lab runs it at start and reports it beside its figures.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { systemRng } from '../util/rng.js'
import { systemTimers } from '../util/timers.js'
import { LinkQueue, Uplink } from './link-schedule.js'
import { ShapedSender } from './link-shaper-conn.js'

export interface ShaperErrorInit {
  /** The one-way delay shaped. */
  latencyMs: number
  /** How many chunks are timed. Default 200. */
  samples?: number
  /** Between two sends. Default 5 ms. */
  intervalMs?: number
  /** The loopback address to use. Default 127.0.0.1. */
  host?: string
}

/** |actual − intended| one-way delay over the samples, in milliseconds. */
export interface ShaperError {
  p50: number
  p99: number
  max: number
  samples: number
}

const SAMPLE_BYTES = 4
const SAMPLES_MAX = 100_000

export async function measureShaperError(init: ShaperErrorInit): Promise<ShaperError> {
  const samples = init.samples ?? 200
  const intervalMs = init.intervalMs ?? 5
  if (!Number.isInteger(samples) || samples < 1 || samples > SAMPLES_MAX) {
    throw new RangeError(`samples must be an integer 1-${SAMPLES_MAX}: ${samples}`)
  }
  if (!(Number.isFinite(init.latencyMs) && init.latencyMs >= 0)) {
    throw new RangeError(`latencyMs must be >= 0: ${init.latencyMs}`)
  }
  const host = init.host ?? '127.0.0.1'
  const nowMs = (): number => performance.now()
  const sentMs: number[] = []
  const arrivedMs: number[] = []
  let inbound: Socket | undefined
  const server = createServer((socket) => {
    inbound = socket
    socket.setNoDelay(true)
    let pending: Buffer = Buffer.alloc(0)
    socket.on('data', (data: Buffer) => {
      const at = nowMs()
      pending = pending.length === 0 ? data : Buffer.concat([pending, data])
      while (pending.length >= SAMPLE_BYTES) {
        arrivedMs[pending.readUInt32BE(0)] = at
        pending = pending.subarray(SAMPLE_BYTES)
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const client = tcpConnect({ host, port, noDelay: true })
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve)
      client.once('error', reject)
    })
    const sender = new ShapedSender<Buffer>({
      queue: new LinkQueue(new Uplink(undefined), { latencyMs: init.latencyMs, jitterMs: 0 }, systemRng, 1 << 30),
      deliver: (chunk) => client.write(chunk),
      nowMs,
      timers: systemTimers,
    })
    for (let i = 0; i < samples; i++) {
      const chunk = Buffer.alloc(SAMPLE_BYTES)
      chunk.writeUInt32BE(i, 0)
      sentMs[i] = nowMs()
      sender.send(chunk, SAMPLE_BYTES)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
    await sender.idle()
    const deadline = nowMs() + 5_000 + init.latencyMs
    while (arrivedMs.filter((t) => t !== undefined).length < samples && nowMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    client.destroy()
    inbound?.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  const errors: number[] = []
  for (let i = 0; i < samples; i++) {
    const arrived = arrivedMs[i]
    if (arrived === undefined) throw new Error(`shaper measurement: sample ${i} never arrived`)
    errors.push(Math.abs(arrived - ((sentMs[i] as number) + init.latencyMs)))
  }
  errors.sort((a, b) => a - b)
  return {
    p50: quantile(errors, 0.5),
    p99: quantile(errors, 0.99),
    max: errors[errors.length - 1] as number,
    samples,
  }
}

/** The q-quantile of sorted values, nearest rank. */
function quantile(sorted: number[], q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}
