/**
 * Schemas of what a lab run leaves on disk (src/lab/run-format.ts) and of a
 * node's trace events (src/trace/format.ts), checked when the report loads
 * them. Unknown keys are allowed (a newer writer may add optional fields);
 * unknown event kinds and wrong types are not.
 */
import { z } from 'zod'
import { TRACE_VERSION, type TraceEvent } from '../../trace/format.js'
import type { LabRun, LabTimelineEvent } from '../run-format.js'

const time = z.number().finite().nonnegative()
const count = z.number().finite().nonnegative()
const text = z.string().min(1)

const traceEventSchema = z.discriminatedUnion('e', [
  z.object({ t: time, e: z.literal('start'), v: z.literal(TRACE_VERSION), peerId: text, pid: z.number().int() }),
  z.object({ t: time, e: z.literal('tx'), id: text, from: text, bytes: count.optional() }),
  z.object({
    t: time,
    e: z.literal('block'),
    hash: text,
    height: z.number().int().nonnegative(),
    from: text,
    parent: text.optional(),
    bytes: count.optional(),
  }),
  z.object({
    t: time,
    e: z.literal('copies'),
    k: z.enum(['tx', 'block']),
    id: text,
    n: z.number().int().nonnegative(),
  }),
  z.object({ t: time, e: z.literal('bytes'), proto: z.record(z.string(), z.object({ in: count, out: count })) }),
  z.object({
    t: time,
    e: z.literal('peer'),
    op: z.enum(['open', 'close']),
    peer: text,
    ip: z.string().optional(),
    dir: z.enum(['in', 'out']),
  }),
  z.object({ t: time, e: z.literal('head'), hash: text, height: z.number().int().nonnegative() }),
  z.object({ t: time, e: z.literal('reorg'), depth: z.number().int().nonnegative(), from: text, to: text }),
  z.object({ t: time, e: z.literal('cut'), peer: text, ip: z.string().optional(), reason: z.string() }),
  z.object({ t: time, e: z.literal('proc'), cpuMs: count, rss: count }),
  z.object({ t: time, e: z.literal('stop') }),
])

const timelineEventSchema = z.discriminatedUnion('e', [
  z.object({ t: time, e: z.literal('tx-sent'), id: text, node: text }),
  z.object({ t: time, e: z.literal('mine'), node: text, hash: text.optional() }),
  z.object({ t: time, e: z.literal('split'), groups: z.array(z.array(text)) }),
  z.object({ t: time, e: z.literal('heal') }),
  z.object({ t: time, e: z.literal('kill'), node: text, signal: z.enum(['SIGKILL', 'SIGTERM']) }),
  z.object({ t: time, e: z.literal('restart'), node: text }),
  z.object({ t: time, e: z.literal('join'), node: text }),
  z.object({ t: time, e: z.literal('attack-start'), node: text, attack: text }),
  z.object({ t: time, e: z.literal('attack-stop'), node: text, attack: text }),
])

const labRunSchema = z
  .object({
    scenario: text,
    gossip: z.enum(['gossipsub', 'floodsub']),
    seed: z.number().int(),
    startedAt: time,
    endedAt: time,
    stoppingAt: time.optional(),
    regions: z.array(text).min(1),
    latencyMs: z.array(z.array(count)),
    jitterMs: count,
    nodes: z.array(
      z.object({
        name: text,
        ip: text,
        region: text,
        role: z.enum(['full', 'miner', 'attacker']),
        attack: z.string().optional(),
        peerIds: z.array(text),
        bandwidthMbit: count,
        trace: text.optional(),
      }),
    ),
    shaperErrorMs: z.object({ p50: count, p99: count, max: count, samples: count }).optional(),
    txOutcome: z
      .object({ sent: count, included: count, pending: count, lost: count, lostIds: z.array(text).max(20) })
      .optional(),
  })
  .superRefine((run, ctx) => {
    const n = run.regions.length
    if (run.latencyMs.length !== n || run.latencyMs.some((row) => row.length !== n)) {
      ctx.addIssue({ code: 'custom', path: ['latencyMs'], message: `must be ${n}×${n}, one row and column per region` })
    }
    const names = new Set<string>()
    for (const [i, node] of run.nodes.entries()) {
      if (names.has(node.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: 'duplicate name' })
      names.add(node.name)
      if (!run.regions.includes(node.region)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'region'], message: `not one of regions: ${node.region}` })
      }
    }
    if (run.endedAt < run.startedAt) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'before startedAt' })
  })

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

function check<T>(schema: z.ZodType, value: unknown): Checked<T> {
  const result = schema.safeParse(value)
  if (result.success) return { ok: true, value: result.data as T }
  const issue = result.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return { ok: false, reason: `${where}${issue?.message ?? 'invalid'}` }
}

export const checkTraceEvent = (value: unknown): Checked<TraceEvent> => check(traceEventSchema, value)
export const checkTimelineEvent = (value: unknown): Checked<LabTimelineEvent> => check(timelineEventSchema, value)
export const checkLabRun = (value: unknown): Checked<LabRun> => check(labRunSchema, value)
