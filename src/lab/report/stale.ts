/**
 * Stale blocks: blocks some honest node saw that are not on the final best
 * chain, over all blocks judged. The final best chain is the chain, by
 * `parent` links, of the head most honest nodes ended on (ties: the higher,
 * then the smaller hash). Blocks above that head were still in flight when
 * the run ended and are not judged; nor are blocks below where the parent
 * links stop (the traces began after them).
 */
import { blockTree } from './blocks.js'
import type { RunModel } from './model.js'

export interface StaleFigures {
  /** Stale ÷ judged; null when the traces carry no parent links or no head. */
  rate: number | null
  stale: number
  judged: number
  /** Blocks above the final head, not judged. */
  inFlight: number
  finalHead: string | null
  finalHeight: number | null
  /** Honest nodes whose last head is the final head, of those with any head. */
  nodesOnFinalHead: number
  nodesWithHead: number
  /** Why `rate` is null, when it is. */
  note?: string
}

export function staleFigures(model: RunModel): StaleFigures {
  const tree = blockTree(model)
  const finals = new Map<string, number>()
  let nodesWithHead = 0
  for (const [node, events] of model.events) {
    if (!model.honest.has(node)) continue
    const last = events.findLast((e) => e.e === 'head')
    if (last?.e !== 'head') continue
    nodesWithHead++
    finals.set(last.hash, (finals.get(last.hash) ?? 0) + 1)
  }
  const ranked = [...finals].sort(
    ([a, na], [b, nb]) => nb - na || (tree.height.get(b) ?? 0) - (tree.height.get(a) ?? 0) || (a < b ? -1 : 1),
  )
  const top = ranked[0]
  const empty = { stale: 0, judged: 0, inFlight: 0, nodesWithHead }
  if (top === undefined) {
    return {
      ...empty,
      rate: null,
      finalHead: null,
      finalHeight: null,
      nodesOnFinalHead: 0,
      note: 'no node reported a head',
    }
  }
  const [finalHead, nodesOnFinalHead] = top
  const finalHeight = tree.height.get(finalHead) ?? null
  const chain = new Set<string>()
  let lowest = Number.POSITIVE_INFINITY
  for (let at: string | undefined = finalHead; at !== undefined && tree.height.has(at); at = tree.parent.get(at)) {
    chain.add(at)
    lowest = tree.height.get(at)!
  }
  const blocks = [...model.events]
    .filter(([node]) => model.honest.has(node))
    .flatMap(([, events]) => events.flatMap((e) => (e.e === 'block' ? [e] : [])))
  if (blocks.length > 0 && blocks.every((b) => b.parent === undefined)) {
    return { ...empty, rate: null, finalHead, finalHeight, nodesOnFinalHead, note: 'the traces carry no parent links' }
  }
  const seen = new Set<string>()
  let stale = 0
  let judged = 0
  let inFlight = 0
  for (const b of blocks) {
    if (seen.has(b.hash)) continue
    seen.add(b.hash)
    if (finalHeight !== null && b.height > finalHeight) {
      inFlight++
      continue
    }
    if (b.height < lowest) continue
    judged++
    if (!chain.has(b.hash)) stale++
  }
  return {
    rate: judged === 0 ? null : stale / judged,
    stale,
    judged,
    inFlight,
    finalHead,
    finalHeight,
    nodesOnFinalHead,
    nodesWithHead,
    ...(judged === 0 ? { note: 'no block seen' } : {}),
  }
}
