/**
 * The report's charts: vega-lite specs over the computed figures, compiled
 * to vega and rendered headless to SVG strings (no DOM, no canvas, no
 * network), so report.html holds them inline.
 */
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { RunReport } from './compute.js'
import type { MessageKind } from './propagation.js'

const WIDTH = 420
const HEIGHT = 240
const CONFIG = { font: 'sans-serif', view: { stroke: '#ccc' }, axis: { labelFontSize: 11, titleFontSize: 12 } }

/** Renders a vega-lite spec to SVG, with ids made unique under `idPrefix` so many SVGs share one page. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' })
  try {
    const svg = await view.toSVG()
    return svg
      .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
      .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
      .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`)
  } finally {
    view.finalize()
  }
}

/** The CDF over messages of the delay to reach 50/90/100% of nodes, one line per level and gossip. */
export function propagationCdfSpec(runs: readonly RunReport[], kind: MessageKind): TopLevelSpec | null {
  const values = runs.flatMap((r) =>
    r.propagation[kind].cdf.flatMap(({ level, points }) =>
      // A step from 0 at the first value, so each line starts on the axis.
      [{ x: points[0]?.x ?? 0, y: 0 }, ...points].map((p) => ({
        delayS: p.x / 1000,
        fraction: p.y,
        reach: `${level}% of nodes`,
        gossip: r.gossip,
      })),
    ),
  )
  if (runs.every((r) => r.propagation[kind].messages === 0)) return null
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${kind === 'tx' ? 'Transaction' : 'Block'} propagation: time to reach a share of the honest nodes`,
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'delayS', type: 'quantitative', title: 'delay after first sighting (s)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of messages', scale: { domain: [0, 1] } },
      color: { field: 'reach', type: 'nominal', title: 'reached' },
      strokeDash: { field: 'gossip', type: 'nominal', title: 'gossip' },
      detail: [{ field: 'gossip' }, { field: 'reach' }],
    },
  }
}

/** Mean bytes/s per node of each class, in and out, over the run. */
export function bandwidthSpec(run: RunReport): TopLevelSpec | null {
  const values = run.bandwidth.series.flatMap((p) => [
    { tS: p.tS, role: p.role, direction: 'in', kBps: p.inBps / 1000 },
    { tS: p.tS, role: p.role, direction: 'out', kBps: p.outBps / 1000 },
  ])
  if (values.length === 0) return null
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Bandwidth per node by class (${run.gossip}, ${run.bandwidth.bucketS} s buckets)`,
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'tS', type: 'quantitative', title: 'time since start (s)' },
      y: { field: 'kBps', type: 'quantitative', title: 'kB/s per node (mean of class)' },
      color: { field: 'role', type: 'nominal', title: 'class' },
      strokeDash: { field: 'direction', type: 'nominal', title: 'direction' },
      detail: [{ field: 'role' }, { field: 'direction' }],
    },
  }
}

/** How many (node, message) pairs received each number of copies. */
export function copiesSpec(run: RunReport): TopLevelSpec | null {
  const values = (['tx', 'block'] as const).flatMap((kind) =>
    run.copies[kind].histogram.map((h) => ({ copies: h.copies, pairs: h.pairs, kind })),
  )
  if (values.length === 0) return null
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Copies received per node per message (${run.gossip})`,
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'copies', type: 'ordinal', title: 'copies received' },
      xOffset: { field: 'kind' },
      y: { field: 'pairs', type: 'quantitative', title: '(node, message) pairs' },
      color: { field: 'kind', type: 'nominal', title: 'message' },
    },
  }
}

/** The connections alive at the end: nodes placed by region (topology.ts), coloured by region, shaped by role. */
export function topologySpec(run: RunReport): TopLevelSpec | null {
  const { nodes, edges } = run.topology
  if (nodes.length === 0) return null
  const at = new Map(nodes.map((n) => [n.name, n]))
  const lines = edges.flatMap(({ a, b }) => {
    const p = at.get(a)
    const q = at.get(b)
    return p === undefined || q === undefined ? [] : [{ x: p.x, y: p.y, x2: q.x, y2: q.y }]
  })
  const axis = { field: 'x', type: 'quantitative' as const, axis: null, scale: { domain: [-1.5, 1.5] } }
  const yAxis = { field: 'y', type: 'quantitative' as const, axis: null, scale: { domain: [1.5, -1.5] } }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Topology at ${run.topology.atS.toFixed(0)} s (${run.gossip}): ${nodes.length} nodes, ${edges.length} connections`,
    width: 360,
    height: 360,
    config: CONFIG,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'rule', color: '#999', opacity: 0.6 },
        encoding: { x: axis, y: yAxis, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: nodes },
        mark: { type: 'point', filled: true, size: 120, stroke: '#333', strokeWidth: 0.5 },
        encoding: {
          x: axis,
          y: yAxis,
          color: { field: 'region', type: 'nominal', title: 'region' },
          shape: { field: 'role', type: 'nominal', title: 'role' },
        },
      },
      {
        data: { values: nodes },
        mark: { type: 'text', dy: -10, fontSize: 9 },
        encoding: { x: axis, y: yAxis, text: { field: 'name' } },
      },
    ],
  }
}
