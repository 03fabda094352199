/**
 * `peerchain lab run`: one scenario, under each gossip protocol it names, on
 * real node processes. For each protocol it
 *   1. writes the lab genesis and one links file per node (its region, the
 *      latency matrix, bandwidths), and measures the link shaper's error;
 *   2. starts the nodes (not the late joiners) on their own 127.A.B.C, each
 *      bootstrapping from up to three nodes already up, and waits until
 *      every node has a peer;
 *   3. plays the seeded plan (plan.ts) in real time: blocks through
 *      `miner_generate`, txs through `tx_submit`, partitions through
 *      `lab_partition`, kills, restarts, joins and attackers;
 *   4. stops everything cleanly, writes run.json and timeline.jsonl.
 * Then the report is built over all runs (report/).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { genesisToJson } from '../ledger/genesis.js'
import { toHex } from '../util/bytes.js'
import { type Rng, seededRng } from '../util/rng.js'
import { type AttackerHandle, startAttacker } from './attackers.js'
import { type Fleet, type FleetNode, ProcessFleet } from './fleet.js'
import { type LabLayout, type LayoutNode, linksFileFor, splitSides } from './layout.js'
import { type LabAction, planLab } from './plan.js'
import type { Gossip, LabRun, LabTimelineEvent } from './run-format.js'
import type { Scenario } from './scenario.js'
import { scenarioGenesis, scenarioSenders, TxLoad } from './tx-load.js'
import { askTxOutcome } from './tx-outcome.js'

export interface LabRunOptions {
  out: string
  /**
   * The nodes of one run (default: processes on this machine). `dir` is the
   * run's directory, where the lab genesis is already written.
   */
  fleet?: (run: { gossip: Gossip; dir: string; genesisPath: string }) => Fleet
  /** Where attackers dial from, instead of their scenario addresses (a Kubernetes driver: its pod IP). */
  attackerIp?: string
  logLevel?: string
  /** Progress lines (stdout by default). */
  say?: (line: string) => void
  /** The shaper's error, measured once per run by the caller (net/link-shaper's measureShaperError). */
  measureShaperError?: () => Promise<LabRun['shaperErrorMs']>
}

/** How many nodes start at once. */
const START_BATCH = 2
/** After the last start, how long the nodes get to finish connecting before the timeline begins. */
const SETTLE_BEFORE_MS = 10_000
/** A node dials this many nodes already up at its start. */
const BOOTSTRAP_PEERS = 3
/** After the last action, how long messages get to arrive before the nodes stop. */
const SETTLE_MS = 3_000

export async function runScenario(scenario: Scenario, layout: LabLayout, options: LabRunOptions): Promise<string[]> {
  const dirs: string[] = []
  for (const gossip of scenario.gossip) {
    const dir = join(options.out, gossip)
    await runOnce(scenario, layout, gossip, dir, options)
    dirs.push(dir)
  }
  return dirs
}

async function runOnce(
  scenario: Scenario,
  layout: LabLayout,
  gossip: Gossip,
  dir: string,
  options: LabRunOptions,
): Promise<void> {
  const say = options.say ?? ((line: string) => console.log(line))
  await mkdir(join(dir, 'links'), { recursive: true })
  const senders = scenarioSenders(scenario)
  const blockIntervalS = scenario.mining?.block_interval_s ?? 0
  const genesis = scenarioGenesis(scenario)
  const genesisPath = join(dir, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis), null, 2))
  const byName = new Map(layout.nodes.map((n) => [n.name, n]))
  for (const node of layout.nodes) {
    await writeFile(join(dir, 'links', `${node.name}.json`), JSON.stringify(linksFileFor(layout, node.ip)))
  }
  const fleet: Fleet = options.fleet
    ? options.fleet({ gossip, dir, genesisPath })
    : new ProcessFleet({ dir, genesisPath, gossip, logLevel: options.logLevel ?? 'warn' })

  const rng = seededRng(scenario.seed)
  const plan = planLab(
    {
      durationS: scenario.duration_s,
      blockIntervalS,
      nodes: layout.nodes.map((n) => ({ name: n.name, role: n.role, hashShare: n.hashShare, joinAtS: n.joinAtS })),
      load: scenario.load.map((l) => ({ txRate: l.tx_rate, fromS: l.from_s, untilS: l.until_s })),
      events: scenario.events.map(toPlanEvent),
      attackers: layout.attackers.map((a) => ({ name: a.name, fromS: a.fromS, untilS: a.untilS })),
    },
    rng,
  )

  const timeline: LabTimelineEvent[] = []
  const note = (event: LabTimelineEvent): void => {
    timeline.push(event)
  }
  const shaperErrorMs = options.measureShaperError ? await options.measureShaperError() : undefined
  const spec = (n: LayoutNode) => ({ name: n.name, ip: n.ip, role: n.role })
  const bootstrapFor = (name: string): string[] =>
    pickPeers(
      rng,
      fleet.upNames().filter((n) => n !== name),
      BOOTSTRAP_PEERS,
    ).map((n) => fleet.node(n).addr)

  const startedAt = Date.now()
  const attackers = new Map<string, AttackerHandle>()
  /** The split in force, as node names per side; IPs are looked up when used (a restarted pod has a new one). */
  let partition: string[][] | null = null
  const partitionIps = (sides: string[][]): string[][] =>
    sides.map((side) => side.filter((name) => fleet.isUp(name)).map((name) => fleet.node(name).ip))
  let stoppingAt: number | undefined
  /** Txs a node took (tx_submit answered): the ones that must not be lost. */
  const accepted = new Set<string>()
  let txOutcome: LabRun['txOutcome']
  const pending = new Set<Promise<unknown>>()
  const track = (p: Promise<unknown>): void => {
    const done = p.catch((err) => say(`lab: ${(err as Error).message}`)).finally(() => pending.delete(done))
    pending.add(done)
  }
  const startNode = async (n: LayoutNode): Promise<FleetNode> => {
    const started = await fleet.start(spec(n), bootstrapFor(n.name))
    if (partition) await started.rpc.call('lab_partition', { groups: partitionIps(partition) })
    return started
  }

  try {
    say(`lab ${scenario.name} (${gossip}): starting ${layout.nodes.length} nodes`)
    const first = layout.nodes.filter((n) => !(n.joinAtS > 0))
    for (let i = 0; i < first.length; i += START_BATCH) {
      await Promise.all(first.slice(i, i + START_BATCH).map(startNode))
    }
    await waitForPeers(fleet, 60_000)
    await new Promise((resolve) => setTimeout(resolve, SETTLE_BEFORE_MS))
    const firstUp = fleet.upNames()[0]
    const genesisHash = firstUp ? (await fleet.node(firstUp).rpc.call('node_info')).genesisHash : undefined
    const load = new TxLoad(genesis.chainId, senders)
    const t0 = Date.now()
    say(`lab ${scenario.name} (${gossip}): ${plan.length} actions over ${scenario.duration_s} s`)
    const failures = { tx: 0, mine: 0 }
    for (const action of plan) {
      const wait = t0 + action.atMs - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      execute(action)
    }
    const end = t0 + scenario.duration_s * 1000 + SETTLE_MS
    if (end > Date.now()) await new Promise((resolve) => setTimeout(resolve, end - Date.now()))
    await Promise.all([...pending])
    txOutcome = await askTxOutcome(fleet, [...accepted])
    if (failures.tx + failures.mine > 0) say(`lab: ${failures.tx} txs and ${failures.mine} blocks could not be placed`)

    function execute(action: LabAction): void {
      const at = Date.now()
      switch (action.kind) {
        case 'mine': {
          if (!fleet.isUp(action.node)) return
          track(
            fleet
              .node(action.node)
              .rpc.call('miner_generate', { blocks: 1 })
              .then((mined) => note({ t: at, e: 'mine', node: action.node, hash: mined[0]?.hash }))
              .catch((err) => {
                failures.mine++
                throw err
              }),
          )
          return
        }
        case 'tx': {
          const origin = fleet.isUp(action.node) ? action.node : fleet.upNames()[0]
          if (!origin) return
          const tx = load.next()
          note({ t: at, e: 'tx-sent', id: tx.id, node: origin })
          track(
            fleet
              .node(origin)
              .rpc.call('tx_submit', { tx: toHex(tx.bytes) })
              .then(() => accepted.add(tx.id))
              .catch((err) => {
                failures.tx++
                load.returnTx(tx)
                throw err
              }),
          )
          return
        }
        case 'split': {
          // A node that is down now is told its side when it comes back (startNode).
          partition = splitSides(layout, action.groups)
          const groups = partitionIps(partition)
          note({ t: at, e: 'split', groups: action.groups })
          for (const name of fleet.upNames()) track(fleet.node(name).rpc.call('lab_partition', { groups }))
          return
        }
        case 'heal': {
          partition = null
          note({ t: at, e: 'heal' })
          for (const name of fleet.upNames()) track(fleet.node(name).rpc.call('lab_partition', { groups: null }))
          return
        }
        case 'kill':
          note({ t: at, e: 'kill', node: action.node, signal: action.signal })
          track(fleet.kill(action.node, action.signal))
          return
        case 'restart':
        case 'join': {
          const node = byName.get(action.node)
          if (!node) return
          note(
            action.kind === 'join'
              ? { t: at, e: 'join', node: action.node }
              : { t: at, e: 'restart', node: action.node },
          )
          track(startNode(node))
          return
        }
        case 'attack-start': {
          const attacker = layout.attackers.find((a) => a.name === action.attacker)
          if (!attacker) return
          note({ t: at, e: 'attack-start', node: attacker.name, attack: attacker.kind })
          track(
            startAttacker(options.attackerIp ? { ...attacker, ip: options.attackerIp, ipGroup: undefined } : attacker, {
              chainId: genesis.chainId,
              genesisHash: genesisHash ?? '',
              targets: fleet.upNames().map((n) => fleet.node(n).addr),
              dir,
              seed: scenario.seed,
            }).then((handle) => attackers.set(attacker.name, handle)),
          )
          return
        }
        case 'attack-stop': {
          const handle = attackers.get(action.attacker)
          const attacker = layout.attackers.find((a) => a.name === action.attacker)
          if (attacker) note({ t: at, e: 'attack-stop', node: attacker.name, attack: attacker.kind })
          if (handle) track(handle.stop())
          return
        }
      }
    }
  } finally {
    stoppingAt = Date.now()
    await Promise.all([...attackers.values()].map((a) => a.stop().catch(() => {})))
    await fleet.stopAll()
  }
  const endedAt = Date.now()
  const run: LabRun = {
    scenario: scenario.name,
    gossip,
    seed: scenario.seed,
    startedAt,
    endedAt,
    ...(stoppingAt ? { stoppingAt } : {}),
    regions: scenario.network.regions,
    latencyMs: scenario.network.latency_ms,
    jitterMs: scenario.network.jitter_ms,
    nodes: [
      ...layout.nodes.map((n) => ({
        name: n.name,
        ip: n.ip,
        region: n.region,
        role: n.role,
        peerIds: fleet.peerIds.has(n.name) ? [fleet.peerIds.get(n.name) as string] : [],
        bandwidthMbit: n.bandwidthMbit,
        trace: fleet.traceOf(n.name),
      })),
      ...layout.attackers.map((a) => ({
        name: a.name,
        ip: a.ip,
        region: a.region,
        role: 'attacker' as const,
        attack: a.kind,
        peerIds: attackers.get(a.name)?.peerIds() ?? [],
        bandwidthMbit: a.bandwidthMbit,
      })),
    ],
    ...(shaperErrorMs ? { shaperErrorMs } : {}),
    ...(txOutcome ? { txOutcome } : {}),
  }
  await writeFile(join(dir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`)
  timeline.sort((a, b) => a.t - b.t)
  await writeFile(join(dir, 'timeline.jsonl'), `${timeline.map((e) => JSON.stringify(e)).join('\n')}\n`)
  if (fleet.crashed.length > 0)
    say(`lab: nodes that exited on their own: ${fleet.crashed.map((c) => c.name).join(', ')}`)
}

function toPlanEvent(e: Scenario['events'][number]) {
  switch (e.kind) {
    case 'split':
      return { kind: 'split' as const, atS: e.at_s, groups: e.groups }
    case 'heal':
      return { kind: 'heal' as const, atS: e.at_s }
    case 'kill':
      return { kind: 'kill' as const, atS: e.at_s, nodes: e.nodes, signal: e.signal, restartAfterS: e.restart_after_s }
    case 'churn':
      return {
        kind: 'churn' as const,
        fromS: e.from_s,
        untilS: e.until_s,
        killsPerMin: e.kills_per_min,
        signal: e.signal,
        downS: e.down_s,
      }
  }
}

/** Up to `count` distinct names drawn from `names`. */
function pickPeers(rng: Rng, names: string[], count: number): string[] {
  const pool = [...names]
  const out: string[] = []
  while (out.length < count && pool.length > 0) out.push(pool.splice(rng.int(pool.length), 1)[0] as string)
  return out
}

/** Until every running node has at least one peer (or the time is up: a lonely node is a finding, not a failure). */
async function waitForPeers(fleet: Fleet, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await Promise.all(
      fleet.upNames().map((n) =>
        fleet
          .node(n)
          .rpc.call('net_peers')
          .then((peers) => peers.length)
          .catch(() => 0),
      ),
    )
    if (counts.every((c) => c > 0) || Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
