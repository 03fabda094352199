/**
 * The valid-signature flood, measured with real `peerchain start` processes on
 * loopback (JSON lines on stdout, progress on stderr), twice:
 *
 * - in lab mode (`--lab`): each honest node on its own 127.0.N.1, the
 *   attacker on 127.0.99.1, so the honest nodes see one attacker IP and
 *   discourage it with its first identity, as nodes on a real network do;
 * - on a local cluster (every process on 127.0.0.1, `local_cluster`, where
 *   discouragement by IP is off): each fresh key gets in again, the worst
 *   case of an attacker with an IP per key. Its figures carry `_shared_ip`.
 *
 * - honest_propagation_ratio: 5 honest nodes, connected through a first one.
 *   The bench holds a newPendingTransactions subscription on every node; an
 *   honest tx's time runs from just before `tx_submit` (to a random node)
 *   until the last node's notification of it. Median over HONEST_SAMPLES txs
 *   while nothing else happens, then over as many while an attacker floods
 *   every node with validly signed txs from unfunded keys at FLOOD_RATE_PER_S
 *   (it passes the status handshake; when cut off it comes back under a fresh
 *   key, so the pressure lasts); value = flooded / unflooded, goal ≤ 2.
 * - attacker_cut_ms: per attacker identity, from its first message until its
 *   gossip reaches no honest node any more (each one disconnected it); the
 *   median, with every cut beside it.
 *
 * `npx tsx bench/flood-tx.ts`.
 */
import '../src/util/shims.js'
import { loadavg } from 'node:os'
import { RpcClient, type RpcSocket } from '../src/api/client.js'
import type { MempoolTxJson } from '../src/api/json.js'
import { flood, unfundedTxs } from '../src/lab/attackers/gossip-flood.js'
import { addressFromPublicKey } from '../src/ledger/address.js'
import { devnetKey } from '../src/ledger/genesis.js'
import { Tx } from '../src/ledger/tx.js'
import { fromHex, toHex } from '../src/util/bytes.js'
import { fastGenesis, peers, rpc, TestNet, type TestNode } from '../test/helpers/devnet.js'
import { isMain, median } from './common.js'

const HONEST_NODES = 5
const FLOOD_RATE_PER_S = 5_000
const HONEST_SAMPLES = 25
/** Between honest txs, so each one's propagation is measured on its own. */
const SAMPLE_GAP_MS = 300
const FLOOD_TXS = 20_000

function line(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'flood', name, value: Math.round(value * 100) / 100, unit, ...extra })}\n`,
  )
}

const progress = (msg: string): void => {
  process.stderr.write(`flood-tx: ${msg}\n`)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Where each honest tx has been seen: node index → performance.now(). */
type Sightings = Map<string, Map<number, number>>

async function propagationMs(nodes: TestNode[], seen: Sightings, tx: Tx, at: TestNode): Promise<number | undefined> {
  const at_ = new Map<number, number>()
  seen.set(tx.id, at_)
  const t0 = performance.now()
  await rpc(at.rpc, 'tx_submit', { tx: toHex(tx.bytes) })
  const deadline = performance.now() + 10_000
  while (at_.size < nodes.length) {
    if (performance.now() > deadline) return undefined
    await sleep(2)
  }
  return Math.max(...at_.values()) - t0
}

/** Honest node i's address in lab mode, and the attacker's: each its own network group. */
const labHonestIp = (i: number): string => `127.0.${i + 1}.1`
const LAB_ATTACKER_IP = '127.0.99.1'

export async function runTxFlood(mode: 'lab' | 'shared-ip'): Promise<void> {
  const lab = mode === 'lab'
  const suffix = lab ? '' : '_shared_ip'
  const genesis = fastGenesis()
  const net = await TestNet.create(genesis)
  const sockets: RpcSocket[] = []
  try {
    progress(`${mode}: starting ${HONEST_NODES} honest nodes`)
    const where = (i: number) => (lab ? { lab: true, host: labHonestIp(i) } : {})
    const first = await net.start('h0', where(0))
    const nodes = [first]
    const rest = await Promise.all(
      Array.from({ length: HONEST_NODES - 1 }, (_, i) =>
        net.start(`h${i + 1}`, { bootstrap: [first.addr], ...where(i + 1) }),
      ),
    )
    nodes.push(...rest)
    const deadline = Date.now() + 60_000
    while ((await Promise.all(nodes.map(peers))).some((list) => list.length < 2)) {
      if (Date.now() > deadline) throw new Error('the honest nodes did not connect')
      await sleep(200)
    }
    await sleep(2_000) // a few gossipsub heartbeats: meshes formed

    const seen: Sightings = new Map()
    for (const [i, node] of nodes.entries()) {
      const socket = await new RpcClient(node.rpc).socket()
      sockets.push(socket)
      await socket.subscribe('newPendingTransactions', (tx: MempoolTxJson) => {
        const at = seen.get(tx.hash)
        if (at && !at.has(i)) at.set(i, performance.now())
      })
    }

    // Honest txs: devnet accounts 0..9, nonces in turn, to a node picked in turn.
    const recipient = addressFromPublicKey(devnetKey(9).publicKey)
    const nonces = new Array<bigint>(9).fill(0n)
    let turn = 0
    const nextHonest = (): { tx: Tx; at: TestNode } => {
      const k = turn % 9
      const tx = Tx.create(
        { chainId: genesis.chainId, recipient, amount: 1_000n + BigInt(turn), fee: 100n, nonce: nonces[k] as bigint },
        devnetKey(k),
      )
      nonces[k] = (nonces[k] as bigint) + 1n
      const at = nodes[turn % nodes.length] as TestNode
      turn++
      return { tx, at }
    }
    const sample = async (label: string): Promise<{ times: number[]; incomplete: number }> => {
      const times: number[] = []
      let incomplete = 0
      for (let i = 0; i < HONEST_SAMPLES; i++) {
        const { tx, at } = nextHonest()
        const ms = await propagationMs(nodes, seen, tx, at)
        if (ms === undefined) incomplete++
        else times.push(ms)
        await sleep(SAMPLE_GAP_MS)
      }
      progress(`${label}: median ${median(times).toFixed(1)} ms over ${times.length} txs (${incomplete} incomplete)`)
      return { times, incomplete }
    }

    progress('unflooded honest propagation')
    const quiet = await sample('unflooded')

    progress(`signing ${FLOOD_TXS} unfunded txs`)
    const info = await rpc<{ genesisHash: string }>(first.rpc, 'node_info')
    const floodTxs = unfundedTxs(genesis.chainId, FLOOD_TXS)
    const floodMs = HONEST_SAMPLES * (SAMPLE_GAP_MS + 200) + 2_000
    progress(`flooding at ${FLOOD_RATE_PER_S} txs/s for ${floodMs} ms while sampling again`)
    let started!: () => void
    const firstMessage = new Promise<void>((resolve) => {
      started = resolve
    })
    const attack = flood(
      {
        chainId: genesis.chainId,
        genesisHash: fromHex(info.genesisHash),
        targets: nodes.map((n) => n.addr),
        ...(lab ? { labIp: LAB_ATTACKER_IP } : {}),
      },
      floodTxs,
      { ratePerSec: FLOOD_RATE_PER_S, durationMs: floodMs, rotate: true, onFirstMessage: () => started() },
    )
    await firstMessage
    const flooded = await sample('flooded')
    const result = await attack

    const ratio = median(flooded.times) / median(quiet.times)
    line(`honest_propagation_ratio${suffix}`, ratio, 'x', {
      goal: '<=2',
      attacker: lab ? 'one IP, a fresh key after each cut' : 'a fresh key after each cut, IPs not told apart',
      flooded_median_ms: Math.round(median(flooded.times) * 10) / 10,
      unflooded_median_ms: Math.round(median(quiet.times) * 10) / 10,
      samples: HONEST_SAMPLES,
      incomplete: quiet.incomplete + flooded.incomplete,
      nodes: HONEST_NODES,
      flood_rate_per_s: FLOOD_RATE_PER_S,
      // other processes on the machine move both medians: the 1-minute load average at the end
      load_avg_1m: Math.round((loadavg()[0] as number) * 100) / 100,
    })
    const cuts = result.cutsMs.filter((c): c is number => c !== undefined)
    line(`attacker_cut_ms${suffix}`, cuts.length > 0 ? median(cuts) : Number.NaN, 'ms', {
      cuts_ms: result.cutsMs,
      identities: result.identities.length,
      shut_out: result.shutOut,
      flood_txs_delivered: result.sent,
      from: "the identity's first message",
      to: 'its gossip reaches no honest node',
    })
  } finally {
    await Promise.allSettled(sockets.map((s) => s.close()))
    await net.close()
  }
}

if (isMain(import.meta.url)) {
  await runTxFlood('lab')
  await runTxFlood('shared-ip')
}
