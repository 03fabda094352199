/**
 * A CPU profile summary: where the wall time went, as self time grouped by
 * our source folder (src/chain, src/sim…), npm package, or the runtime
 * (garbage collector, node internals). Uses the inspector's sampling profiler.
 */
import { Session } from 'node:inspector/promises'

interface ProfileNode {
  id: number
  callFrame: { url: string; functionName: string }
  hitCount?: number
}

export interface ProfileShare {
  where: string
  percent: number
}

function bucketOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const src = /\/src\/([^/]+)\//.exec(url)
  if (src && !url.includes('node_modules')) return `src/${src[1]}`
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1] as string
  if (url.startsWith('node:')) return 'node:internals'
  return url
}

/** Runs `fn` under the profiler; resolves with its result and the top self-time buckets. */
export async function profiled<T>(fn: () => Promise<T>, top = 12): Promise<{ result: T; profile: ProfileShare[] }> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 1000 })
  await session.post('Profiler.start')
  const outcome = await fn().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[] } }
  session.disconnect()
  if (!outcome.ok) throw outcome.error
  const hits = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const n = node.hitCount ?? 0
    total += n
    const where = bucketOf(node)
    hits.set(where, (hits.get(where) ?? 0) + n)
  }
  const shares = [...hits.entries()]
    .map(([where, n]) => ({ where, percent: Math.round((1000 * n) / Math.max(1, total)) / 10 }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, top)
  return { result: outcome.value, profile: shares }
}
