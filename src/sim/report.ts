/** The numbers a simulation run ends with, and how `peerchain sim` prints them. */
import type { Percentiles } from './stats.js'
import type { SimWorld } from './world.js'

export interface SimReport {
  seed: number
  nodes: number
  virtualSeconds: number
  eventsRun: number
  bestHeight: number
  /** Distinct heads at the end (1 = every node agrees). */
  distinctHeads: number
  blockPropagationS: Percentiles
  txPropagationS: Percentiles
  minedBlocks: number
  staleBlocks: number
  staleRate: number
  reorgs: number
  /** Seconds from each heal until every node held one head. */
  convergenceS: number[]
  bytesPerNode: { mean: number; max: number }
  txs: { submitted: number; accepted: number; rejected: number }
  /** Ed25519 checks actually run (each tx once for the whole network). */
  signatureChecks: number
  /** Strict decodes of gossiped txs and blocks actually run (each message once for the whole network). */
  decodes: number
  /** Proof of stake only. */
  pos?: PosReport
  traceLines: number
  traceSha256: string
}

export interface PosReport {
  validators: number
  offlineValidators: number
  /** Heights final at ⅔ of the running nodes. */
  heightsCommitted: number
  /** Heights committed per virtual minute, up to the last. */
  blocksPerMinute: number
  /** From a height's first proposal to its block being final at ⅔ of the running nodes. */
  commitLatencyS: Percentiles
  /** Decided heights, how many needed round ≥ 1, and the highest round any needed. */
  rounds: { heights: number; laterRounds: number; roundMax: number }
  /** The longest wait for a new height while ⅔+ of the power was connected. */
  stallSMax: number
}

function posReport(world: SimWorld): PosReport | undefined {
  const record = world.finality
  if (!record) return undefined
  const lastMs = Math.max(0, ...record.quorumFinalMs.values())
  return {
    validators: world.nodes.filter((n) => n.power > 0n).length,
    offlineValidators: world.scenario.offline_validators,
    heightsCommitted: record.heightsAtQuorum,
    blocksPerMinute: lastMs === 0 ? 0 : record.heightsAtQuorum / (lastMs / 60_000),
    commitLatencyS: seconds(record.commitLatencyMs().percentiles()),
    rounds: record.roundsSummary(),
    stallSMax: record.stallMsMax / 1000,
  }
}

const seconds = (p: Percentiles): Percentiles => ({
  count: p.count,
  p50: p.p50 / 1000,
  p90: p.p90 / 1000,
  p99: p.p99 / 1000,
  max: p.max / 1000,
})

/** Ends the trace (its hash is in the report). */
export function buildReport(world: SimWorld): SimReport {
  const { observer, scenario } = world
  const reference = world.nodes[0]?.node.ledger.chain
  let stale = 0
  for (const [id] of observer.mined) {
    const entry = reference?.index.get(id)
    if (!entry || reference?.index.mainAt(entry.height)?.id !== id) stale++
  }
  let total = 0
  let max = 0
  for (const { node } of world.nodes) {
    const { bytesIn, bytesOut } = node.network.traffic()
    total += bytesIn + bytesOut
    max = Math.max(max, bytesIn + bytesOut)
  }
  const accepted = observer.submitted.size
  return {
    seed: scenario.seed,
    nodes: world.nodes.length,
    virtualSeconds: world.elapsedMs / 1000,
    eventsRun: world.scheduler.eventsRun,
    bestHeight: observer.bestHeight,
    distinctHeads: observer.distinctHeads,
    blockPropagationS: seconds(observer.blockDelaysMs.percentiles()),
    txPropagationS: seconds(observer.txDelaysMs.percentiles()),
    minedBlocks: observer.mined.size,
    staleBlocks: stale,
    staleRate: observer.mined.size === 0 ? 0 : stale / observer.mined.size,
    reorgs: observer.reorgs,
    convergenceS: observer.convergenceMs.map((ms) => ms / 1000),
    bytesPerNode: { mean: world.nodes.length === 0 ? 0 : total / world.nodes.length, max },
    txs: { submitted: world.submittedCount, accepted, rejected: world.submittedCount - accepted },
    signatureChecks: world.signatures.checks,
    decodes: world.decoders.decodes,
    ...(world.finality ? { pos: posReport(world) } : {}),
    traceLines: observer.traceLines,
    traceSha256: observer.digest(),
  }
}

const fmt = (n: number, digits = 3): string => n.toFixed(digits)
const pct = (p: Percentiles): string =>
  `p50 ${fmt(p.p50)} s  p90 ${fmt(p.p90)} s  p99 ${fmt(p.p99)} s  max ${fmt(p.max)} s  (${p.count} arrivals)`
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`

function formatPos(p: PosReport): string[] {
  const { rounds: r, commitLatencyS: l } = p
  return [
    `validators   ${p.validators}${p.offlineValidators > 0 ? ` (${p.offlineValidators} offline)` : ''}; ${p.heightsCommitted} heights final at ⅔ of the nodes, ${fmt(p.blocksPerMinute, 1)} per minute`,
    `commit       p50 ${fmt(l.p50)} s  p90 ${fmt(l.p90)} s  max ${fmt(l.max)} s  (first proposal to final at ⅔ of the nodes, ${l.count} heights)`,
    `rounds       ${r.laterRounds} of ${r.heights} heights needed round ≥ 1 (highest round ${r.roundMax}); longest wait for a height ${fmt(p.stallSMax, 1)} s`,
  ]
}

/** The report as lines for a terminal. */
export function formatReport(r: SimReport): string[] {
  return [
    `seed ${r.seed}: ${r.nodes} nodes, ${fmt(r.virtualSeconds, 1)} virtual s, ${r.eventsRun} events`,
    `chain        height ${r.bestHeight}, ${r.distinctHeads === 1 ? 'every node on one head' : `${r.distinctHeads} distinct heads`}, ${r.reorgs} reorgs`,
    ...(r.pos ? formatPos(r.pos) : []),
    `blocks       ${pct(r.blockPropagationS)}`,
    `txs          ${pct(r.txPropagationS)}`,
    `stale        ${r.staleBlocks} of ${r.minedBlocks} mined blocks (${fmt(r.staleRate * 100, 2)}%)`,
    `convergence  ${r.convergenceS.length === 0 ? 'no partition healed' : `${r.convergenceS.map((s) => `${fmt(s, 2)} s`).join(', ')} after heal`}`,
    `traffic      ${mib(r.bytesPerNode.mean)} per node (max ${mib(r.bytesPerNode.max)})`,
    `load         ${r.txs.submitted} txs submitted, ${r.txs.accepted} accepted, ${r.txs.rejected} refused; ${r.signatureChecks} signature checks, ${r.decodes} decodes`,
    `trace        ${r.traceLines} lines, sha256 ${r.traceSha256}`,
  ]
}
