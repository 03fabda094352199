/**
 * "No tx lost", asked of the nodes at the end of a lab run: for every tx a
 * node took from the lab, is it in the final chain, still pending somewhere,
 * or known to no node up?
 */
import type { Fleet } from './fleet.js'
import type { LabRun } from './run-format.js'

/** How many tx_get calls are in flight at once at the end. */
const OUTCOME_CONCURRENCY = 32
const LOST_IDS_SHOWN = 20

/**
 * What became of each tx: asked of the node with the highest head, then, for
 * what it does not know, of every other node up (a tx in another node's
 * mempool or on its branch is not lost).
 */
export async function askTxOutcome(
  fleet: Pick<Fleet, 'upNames' | 'node'>,
  ids: string[],
): Promise<LabRun['txOutcome']> {
  const up = fleet.upNames()
  const heights = await Promise.all(
    up.map((n) =>
      fleet
        .node(n)
        .rpc.call('chain_head')
        .then((h) => h.height)
        .catch(() => -1),
    ),
  )
  const best = up[heights.indexOf(Math.max(...heights))]
  if (best === undefined) return undefined
  const statusAt = (node: string, id: string): Promise<string> =>
    fleet
      .node(node)
      .rpc.call('tx_get', { hash: id })
      .then((r) => r.status)
      .catch(() => 'unknown')
  const statuses = await mapLimit(ids, OUTCOME_CONCURRENCY, (id) => statusAt(best, id))
  let included = 0
  let pending = 0
  const unknown: string[] = []
  statuses.forEach((status, i) => {
    if (status === 'included') included++
    else if (status === 'pending') pending++
    else unknown.push(ids[i] as string)
  })
  const lost: string[] = []
  for (const id of unknown) {
    const elsewhere = await Promise.all(up.filter((n) => n !== best).map((n) => statusAt(n, id)))
    if (elsewhere.some((s) => s !== 'unknown')) pending++
    else lost.push(id)
  }
  return { sent: ids.length, included, pending, lost: lost.length, lostIds: lost.slice(0, LOST_IDS_SHOWN) }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
