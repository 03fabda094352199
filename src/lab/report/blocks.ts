/** The block tree as the honest nodes' traces saw it: each block's height and, when traced, its parent. */
import type { RunModel } from './model.js'

export interface BlockTree {
  height: Map<string, number>
  parent: Map<string, string>
  /** Whether `b` is `a` or descends from it: true/false, or undefined when a parent link on the way is missing. */
  descends(b: string, a: string): boolean | undefined
}

export function blockTree(model: RunModel): BlockTree {
  const height = new Map<string, number>()
  const parent = new Map<string, string>()
  for (const [node, events] of model.events) {
    if (!model.honest.has(node)) continue
    for (const e of events) {
      if (e.e === 'block') {
        height.set(e.hash, e.height)
        if (e.parent !== undefined) parent.set(e.hash, e.parent)
      } else if (e.e === 'head' && !height.has(e.hash)) {
        height.set(e.hash, e.height)
      }
    }
  }
  const descends = (b: string, a: string): boolean | undefined => {
    const target = height.get(a)
    if (target === undefined) return b === a ? true : undefined
    let at: string | undefined = b
    while (at !== undefined) {
      if (at === a) return true
      const h = height.get(at)
      if (h === undefined) return undefined
      if (h <= target) return false
      at = parent.get(at)
    }
    return undefined
  }
  return { height, parent, descends }
}
