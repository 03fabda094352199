/**
 * report.html: one self-contained page (inline CSS, charts as inline SVG,
 * no script, font or network request) with every figure table and chart.
 */
import type { TopLevelSpec } from 'vega-lite'
import { bandwidthSpec, copiesSpec, propagationCdfSpec, renderSvg, topologySpec } from './charts.js'
import type { Report, RunReport } from './compute.js'
import { esc, formatBytes, formatMs, formatNumber, formatPercent, formatRatio, none, table } from './format.js'
import type { MessageKind } from './propagation.js'

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
.none { color: #666; font-style: italic; }
.note { color: #555; font-size: 13px; }
`

const KINDS: { kind: MessageKind; title: string }[] = [
  { kind: 'tx', title: 'Transactions' },
  { kind: 'block', title: 'Blocks' },
]

async function chart(name: string, spec: TopLevelSpec | null, empty: string): Promise<string> {
  if (spec === null) return none(empty)
  return `<figure data-chart="${esc(name)}">${await renderSvg(spec, name)}</figure>`
}

function runsTable(report: Report): string {
  return table(
    [
      'gossip',
      'scenario',
      'seed',
      'duration',
      'honest nodes',
      'attackers',
      'by role',
      'regions',
      'shaper error p50 / p99 / max',
      'CPU per node, mean / max (all nodes)',
      'half-written trace lines',
    ],
    report.runs.map((r) => [
      r.gossip,
      r.scenario,
      String(r.seed),
      `${r.durationS.toFixed(0)} s`,
      String(r.nodes.honest),
      String(r.nodes.attackers),
      Object.entries(r.nodes.byRole)
        .map(([role, n]) => `${role} ${n}`)
        .join(', '),
      r.regions.join(', '),
      r.shaperErrorMs === null
        ? 'not measured'
        : `${formatMs(r.shaperErrorMs.p50)} / ${formatMs(r.shaperErrorMs.p99)} / ${formatMs(r.shaperErrorMs.max)} (${r.shaperErrorMs.samples} samples)`,
      r.cpu.meanPercent === null
        ? 'no samples'
        : `${r.cpu.meanPercent.toFixed(1)} % / ${(r.cpu.maxPercent ?? 0).toFixed(1)} % of a core (${(r.cpu.totalCores ?? 0).toFixed(2)} cores)`,
      String(r.truncatedLines),
    ]),
    'runs',
  )
}

function propagationTable(report: Report, kind: MessageKind): string {
  const rows = report.runs.flatMap((r) => {
    const p = r.propagation[kind]
    return p.reach.map((reach) => {
      const ratio = p.boundRatio.find((b) => b.level === reach.level)?.ratio
      return [
        r.gossip,
        `${reach.level} %`,
        String(p.messages),
        formatMs(reach.delayMs.p50),
        formatMs(reach.delayMs.p90),
        formatMs(reach.delayMs.p99),
        String(reach.unreached),
        formatRatio(ratio?.p50),
        formatRatio(ratio?.p90),
      ]
    })
  })
  return table(
    ['gossip', 'to reach', 'messages', 'p50', 'p90', 'p99', 'never reached', '÷ bound p50', '÷ bound p90'],
    rows,
    `propagation-${kind}`,
  )
}

function bitcoinTable(report: Report): string {
  const b = report.bitcoin
  const ours = (kind: MessageKind) =>
    report.runs.map((r) => {
      const p50 = (level: number) => r.propagation[kind].reach.find((x) => x.level === level)?.delayMs.p50
      return [
        `${kind}, ours (${r.gossip}): median time to 50 / 90 / 100 % of nodes`,
        formatMs(p50(50)),
        formatMs(p50(90)),
        formatMs(p50(100)),
      ]
    })
  return table(
    ['', 'p50', 'p90', 'p99 (ours: 100 %)'],
    [
      ['block, Bitcoin', formatMs(b.block.p50Ms), formatMs(b.block.p90Ms), formatMs(b.block.p99Ms)],
      ...ours('block'),
      ['tx, Bitcoin', formatMs(b.tx.p50Ms), formatMs(b.tx.p90Ms), formatMs(b.tx.p99Ms)],
      ...ours('tx'),
    ],
    'bitcoin',
  )
}

function comparisonSection(report: Report): string {
  if (report.comparison === null) return none('Only one gossip protocol was run: no comparison.')
  const show = (v: number | null, unit: string) =>
    unit === 'ms'
      ? formatMs(v)
      : unit === 'ratio'
        ? formatRatio(v)
        : unit === 'bytes'
          ? formatBytes(v)
          : unit === '%'
            ? v === null
              ? '—'
              : `${v.toFixed(2)} %`
            : formatNumber(v, 2)
  return table(
    ['figure', 'gossipsub', 'floodsub'],
    report.comparison.map((row) => [
      row.figure,
      show(row.values.gossipsub, row.unit),
      show(row.values.floodsub, row.unit),
    ]),
    'comparison',
  )
}

function copiesTable(report: Report): string {
  return table(
    ['gossip', 'message', 'pairs', 'mean', 'p50', 'p99', 'max'],
    report.runs.flatMap((r) =>
      KINDS.map(({ kind }) => {
        const c = r.copies[kind]
        return [
          r.gossip,
          kind,
          String(c.pairs),
          formatNumber(c.mean, 2),
          formatNumber(c.p50),
          formatNumber(c.p99),
          formatNumber(c.max),
        ]
      }),
    ),
    'copies',
  )
}

function bytesTables(r: RunReport): string {
  const nodes = table(
    ['node', 'class', 'region', 'bytes in', 'bytes out'],
    [...r.bandwidth.perNode]
      .sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }))
      .map((n) => [n.node, n.role, n.region, formatBytes(n.inBytes), formatBytes(n.outBytes)]),
    `bytes-per-node-${r.gossip}`,
  )
  const protos = table(
    ['protocol', 'bytes in (all nodes)', 'bytes out (all nodes)'],
    r.bandwidth.perProtocol.map((p) => [p.proto, formatBytes(p.inBytes), formatBytes(p.outBytes)]),
  )
  return `<div class="charts">${nodes}${protos}</div>`
}

function convergenceSection(r: RunReport): string {
  if (r.convergence.length === 0) return none(`No partition in the ${r.gossip} run: no heal to converge after.`)
  return table(
    ['heal at', 'converged after', 'on head', 'height', 'honest nodes up'],
    r.convergence.map((c) => [
      `${c.healS.toFixed(1)} s`,
      c.convergedMs === null ? 'not converged' : formatMs(c.convergedMs),
      c.head?.slice(0, 16) ?? '—',
      formatNumber(c.height),
      String(c.nodes),
    ]),
    `convergence-${r.gossip}`,
  )
}

function txOutcomeTable(report: Report): string {
  const asked = report.runs.filter((r) => r.txOutcome !== null)
  if (asked.length === 0) return none('The runs did not ask the nodes what became of their txs.')
  return table(
    ['gossip', 'txs sent', 'in the final chain', 'still pending', 'lost', 'lost ids (first 20)'],
    asked.map((r) => {
      const o = r.txOutcome as NonNullable<RunReport['txOutcome']>
      return [
        r.gossip,
        String(o.sent),
        String(o.included),
        String(o.pending),
        String(o.lost),
        o.lostIds.join(' ') || '—',
      ]
    }),
    'tx-outcome',
  )
}

function staleTable(report: Report): string {
  return table(
    [
      'gossip',
      'stale rate',
      'stale blocks',
      'blocks judged',
      'in flight at the end',
      'final height',
      'nodes on the final head',
    ],
    report.runs.map((r) => [
      r.gossip,
      r.stale.rate === null ? `— (${r.stale.note ?? 'no blocks'})` : formatPercent(r.stale.rate),
      String(r.stale.stale),
      String(r.stale.judged),
      String(r.stale.inFlight),
      formatNumber(r.stale.finalHeight),
      `${r.stale.nodesOnFinalHead} of ${r.stale.nodesWithHead}`,
    ]),
    'stale',
  )
}

function attacksSection(r: RunReport): string {
  const cuts =
    r.attacks.cuts.length === 0
      ? none(`No attackers in the ${r.gossip} run.`)
      : table(
          ['attacker', 'attack', 'started at', 'honest nodes exposed', 'cut it', 'first cut', 'median cut', 'last cut'],
          r.attacks.cuts.map((c) => [
            c.attacker,
            c.attack,
            `${c.startS.toFixed(1)} s`,
            String(c.exposed),
            String(c.cut),
            formatMs(c.firstMs),
            formatMs(c.medianMs),
            formatMs(c.lastMs),
          ]),
          `attacker-cuts-${r.gossip}`,
        )
  const lost = r.attacks.peersLost
  const peers = table(
    ['honest connections closed during attacks', 'in all', 'fewest honest peers of any honest node', 'taken over'],
    [
      [
        String(lost.closedDuringAttacks),
        String(lost.closedTotal),
        lost.minHonestPeers === null ? '—' : `${lost.minHonestPeers} (${lost.minHonestPeersNode})`,
        lost.minOver === 'attacks' ? 'the attacks' : 'the run, after each node’s first connection',
      ],
    ],
    `honest-peers-${r.gossip}`,
  )
  return `${cuts}${peers}`
}

export async function renderReportHtml(report: Report): Promise<string> {
  const scenario = report.runs[0]?.scenario ?? 'lab'
  const parts: string[] = []
  parts.push(`<h1>Network lab report: ${esc(scenario)}</h1>`, runsTable(report))
  parts.push('<h2>Propagation</h2>')
  parts.push(
    '<p class="note">Delay from a message’s first sighting anywhere until 50, 90 and 100 % of the honest nodes that were up had seen it; p50/p90/p99 over messages. “÷ bound”: that delay divided by the shortest-path bound (region latencies over the connections alive at the time).</p>',
  )
  for (const { kind, title } of KINDS) {
    parts.push(`<h3>${title}</h3>`, propagationTable(report, kind))
    parts.push(await chart(`propagation-${kind}`, propagationCdfSpec(report.runs, kind), `No ${kind} was propagated.`))
  }
  parts.push(`<h3>Beside Bitcoin (${esc(report.bitcoin.source)})</h3>`, bitcoinTable(report))
  parts.push('<h2>Gossipsub beside floodsub</h2>', comparisonSection(report))
  parts.push('<h2>Copies per node per message</h2>', copiesTable(report))
  parts.push('<div class="charts">')
  for (const r of report.runs)
    parts.push(await chart(`copies-${r.gossip}`, copiesSpec(r), `No copies counted (${r.gossip}).`))
  parts.push('</div><h2>Bandwidth</h2><div class="charts">')
  for (const r of report.runs) {
    parts.push(await chart(`bandwidth-${r.gossip}`, bandwidthSpec(r), `No byte samples (${r.gossip}).`))
  }
  parts.push('</div>')
  for (const r of report.runs) parts.push(`<h3>Bytes per node (${esc(r.gossip)})</h3>`, bytesTables(r))
  parts.push('<h2>Convergence after each heal</h2>')
  for (const r of report.runs) parts.push(convergenceSection(r))
  parts.push(
    '<h2>No tx lost</h2>',
    '<p class="note">Every tx the lab sent, asked of the nodes at the end: in the final chain, still pending in a mempool, or known to no node (lost).</p>',
    txOutcomeTable(report),
  )
  parts.push('<h2>Stale blocks</h2>', staleTable(report))
  parts.push('<h2>Attackers and honest peers</h2>')
  for (const r of report.runs) parts.push(attacksSection(r))
  parts.push('<h2>Topology</h2><div class="charts">')
  for (const r of report.runs)
    parts.push(await chart(`topology-${r.gossip}`, topologySpec(r), `No nodes (${r.gossip}).`))
  parts.push('</div>')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Network lab report: ${esc(scenario)}</title>
<style>${CSS}</style></head>
<body>
${parts.join('\n')}
</body></html>
`
}
