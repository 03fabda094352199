/** Reads the runs a `peerchain lab run` left in DIR (layout: src/lab/run-format.ts). */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { TraceEvent } from '../../trace/format.js'
import type { Gossip, LabRun, LabTimelineEvent } from '../run-format.js'
import { RunFormatError } from './errors.js'
import { parseLabRun, parseTimeline, parseTrace } from './parse.js'

export interface NodeTrace {
  /** The node's name in run.json. */
  node: string
  events: TraceEvent[]
  truncatedLines: number
}

export interface LoadedRun {
  run: LabRun
  timeline: LabTimelineEvent[]
  traces: NodeTrace[]
}

const GOSSIPS: readonly Gossip[] = ['gossipsub', 'floodsub']

async function readText(path: string, shownAs: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new RunFormatError(shownAs, undefined, code === 'ENOENT' ? 'missing' : `unreadable (${code ?? err})`)
  }
}

export async function loadRun(dir: string, shownFrom: string = dir): Promise<LoadedRun> {
  const show = (path: string) => relative(shownFrom, path) || path
  const runFile = join(dir, 'run.json')
  const run = parseLabRun(show(runFile), await readText(runFile, show(runFile)))
  const timelineFile = join(dir, 'timeline.jsonl')
  const timeline = parseTimeline(show(timelineFile), await readText(timelineFile, show(timelineFile)))
  const traces: NodeTrace[] = []
  for (const node of run.nodes) {
    if (node.trace === undefined) continue
    const file = join(dir, node.trace)
    const parsed = parseTrace(show(file), await readText(file, show(file)))
    traces.push({ node: node.name, ...parsed })
  }
  return { run, timeline, traces }
}

/** Every `DIR/<gossip>/` holding a run.json, gossipsub first. */
export async function loadRuns(dir: string): Promise<LoadedRun[]> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    throw new RunFormatError(dir, undefined, 'not a readable directory')
  }
  const runs: LoadedRun[] = []
  for (const gossip of GOSSIPS) {
    if (!entries.includes(gossip)) continue
    const runDir = join(dir, gossip)
    const files = await readdir(runDir).catch(() => [] as string[])
    if (!files.includes('run.json')) continue
    const loaded = await loadRun(runDir, dir)
    if (loaded.run.gossip !== gossip) {
      throw new RunFormatError(join(gossip, 'run.json'), undefined, `gossip is ${loaded.run.gossip}, in ${gossip}/`)
    }
    runs.push(loaded)
  }
  if (runs.length === 0) throw new RunFormatError(dir, undefined, `no run: expected ${GOSSIPS.join(' or ')}/run.json`)
  return runs
}
