/**
 * The network, measured with real `peerchain start` processes on 127.0.0.1
 * (one JSON line per figure on stdout, progress on stderr):
 *
 * - propagation_tx_ms / propagation_block_ms: 8 node processes, one mining a
 *   block every ~0.75 s (a retargeting genesis). The bench holds a WebSocket
 *   subscription (newHeads + newPendingTransactions) on every node. A tx's
 *   time runs from just before `tx_submit` (to a random node) until the last
 *   node's newPendingTransactions notification of its hash; a block's from the
 *   miner's own newHeads notification of its hash to the last node's. Value =
 *   median; max and p90 beside it. The clock is the bench process's, so every
 *   time includes the same RPC notification hop.
 * - bytes_sent_per_node_per_block: over a window of K blocks and no txs, the
 *   bytes every node process sent on its TCP sockets (the kernel's tcp_info
 *   bytes_sent read with `ss -tinp`, RPC sockets left out), divided by K and by
 *   the node count. Background traffic (gossipsub heartbeats, pings, the DHT)
 *   is included; an idle window of the same length with mining stopped is
 *   measured too, and the figure net of it is given beside. As a cross-check,
 *   the same for /proc/<pid>/io wchar (every write(): sockets, LevelDB, logs).
 * - sync_blocks_per_s / import_blocks_per_s / sync_vs_import: 2,000 blocks of
 *   100 transfers are produced in-process (straight from the ledger rules, see
 *   produceBlocks), decoded and imported once into a LevelDB chain (timed: the
 *   single-node import rate, with a SignatureVerifier), and that chain
 *   directory is copied to 3 data directories. 3 nodes start on them; a 4th,
 *   fresh node bootstrapped to the 3 syncs; its time runs from its ready line
 *   until its newHeads notification of their head. Both give rates per
 *   quarter of the chain too.
 *
 * `npx tsx bench/network.ts` or `npm run bench -- network`.
 */
import '../src/util/shims.js'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { RpcClient, type RpcSocket } from '../src/api/client.js'
import type { HeadJson, MempoolTxJson } from '../src/api/json.js'
import { Chain } from '../src/chain/chain.js'
import { buildGenesisBlock, genesisAccounts } from '../src/chain/genesis-block.js'
import { StateTrie } from '../src/chain/trie.js'
import type { HeaderTree } from '../src/consensus/engine.js'
import { PowEngine } from '../src/consensus/pow/engine.js'
import { type DevnetNode, loopbackNodeArgs, spawnNode, stopNodes } from '../src/lab/node-process.js'
import { addressFromPublicKey } from '../src/ledger/address.js'
import { BLOCK_VERSION, Block, txRootOf } from '../src/ledger/block.js'
import { COIN, devnetGenesis, type Genesis, genesisToJson, parseGenesis, subsidyAt } from '../src/ledger/genesis.js'
import { SignatureVerifier } from '../src/ledger/sigverify/pool.js'
import { type Account, applyBlockTxs, StateOverlay } from '../src/ledger/state.js'
import { Tx } from '../src/ledger/tx.js'
import { LevelStore } from '../src/storage/level.js'
import { MemoryStore } from '../src/storage/memory.js'
import { bigintToBytes, toHex } from '../src/util/bytes.js'
import { systemClock } from '../src/util/clock.js'
import { benchGenesis, benchKey, isMain, report, transferBatches } from './common.js'

// ---- parameters ------------------------------------------------------------

const NODES = 8
const TX_SAMPLES = 24
const BLOCK_SAMPLES_MIN = 20
/** Blocks mined (and propagated) before anything is measured: the target retargets twice meanwhile. */
const WARMUP_BLOCKS = 16
/** Blocks in the bytes window. */
const BYTES_WINDOW_BLOCKS = 12
/**
 * A block every ~0.75 s from one mining thread: 1 << 238 is ~0.6 s at ~450k hashes/s, and the
 * target retargets every 8 blocks (by at most 2x) toward what the loaded machine manages.
 */
const PROPAGATION_PARAMS = {
  blockTimeMs: 750,
  retargetInterval: 8,
  maxAdjustFactor: 2,
  initialTarget: 1n << 238n,
  powLimit: 1n << 250n,
}

const SYNC_BLOCKS = 2000
const SYNC_TXS_PER_BLOCK = 100
const SYNC_ACCOUNTS = 1000
const SYNC_PEERS = 3
/** Block timestamps are this far apart; the last one lands about a minute before now. */
const SYNC_BLOCK_SPACING_MS = 1000

const SYNC_TIMEOUT_MS = 240_000

// ---- small helpers ---------------------------------------------------------

const progress = (msg: string): void => {
  process.stderr.write(`[bench network ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` (in-memory state or RPC) every `everyMs` until it is truthy. */
async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 20,
): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      )
    }
    await sleep(everyMs)
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo)
}

function summary(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted.at(-1) ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
  }
}

/** A deterministic pseudo-random sequence (xorshift32), so runs pick the same nodes. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 2 ** 32
  }
}

// ---- node processes --------------------------------------------------------

interface BenchNode extends DevnetNode {
  name: string
  dataDir: string
  addr: string
  client: RpcClient
  rpcPort: number
}

/** Clusters with processes running: stopped on the way out, whatever happened. */
const live = new Set<Cluster>()

class Cluster {
  readonly nodes: BenchNode[] = []

  constructor(readonly dir: string) {
    live.add(this)
  }

  async start(
    name: string,
    genesisPath: string,
    opts: { role?: 'miner'; bootstrap?: string[]; dataDir?: string } = {},
  ): Promise<BenchNode> {
    const dataDir = opts.dataDir ?? join(this.dir, name)
    const args = loopbackNodeArgs({
      dataDir,
      genesisPath,
      logLevel: 'warn',
      role: opts.role,
      bootstrap: opts.bootstrap,
    })
    const started = await spawnNode(args, join(this.dir, `${name}.log`))
    const node: BenchNode = {
      ...started,
      index: this.nodes.length,
      name,
      dataDir,
      addr: started.listen[0] as string,
      // The node's cookie: miner_start and miner_stop need it, loopback or not.
      client: new RpcClient(started.rpc, {
        timeoutMs: 30_000,
        token: (await readFile(join(dataDir, 'rpc.cookie'), 'utf8')).trim(),
      }),
      rpcPort: Number(new URL(started.rpc).port),
    }
    this.nodes.push(node)
    return node
  }

  async stopAll(): Promise<void> {
    await stopNodes(this.nodes, 5_000)
    live.delete(this)
  }
}

// ---- bytes sent, from the kernel -------------------------------------------

const execFileP = promisify(execFile)

interface SocketCounters {
  /** "pid local peer" → tcp_info bytes_sent. */
  sockets: Map<string, number>
}

/** tcp_info bytes_sent of every established TCP socket of `pids`, except those on `excludePorts` (RPC). */
async function tcpBytesSent(pids: ReadonlySet<number>, excludePorts: ReadonlySet<number>): Promise<SocketCounters> {
  const { stdout } = await execFileP('ss', ['-tinpHO', 'state', 'established'], { maxBuffer: 64 * 1024 * 1024 })
  const sockets = new Map<string, number>()
  for (const line of stdout.split('\n')) {
    const pid = /pid=(\d+)/.exec(line)
    const sent = /bytes_sent:(\d+)/.exec(line)
    if (!pid || !pids.has(Number(pid[1]))) continue
    // With a state filter the columns are: Recv-Q Send-Q Local:Port Peer:Port users:(…) info…
    const cols = line.trim().split(/\s+/)
    const local = cols[2] ?? ''
    const peer = cols[3] ?? ''
    const localPort = Number(local.slice(local.lastIndexOf(':') + 1))
    if (excludePorts.has(localPort)) continue
    sockets.set(`${pid[1]} ${local} ${peer}`, sent ? Number(sent[1]) : 0)
  }
  return { sockets }
}

/** Bytes sent between two snapshots; sockets opened meanwhile count whole, closed ones are lost (and counted). */
function tcpDelta(before: SocketCounters, after: SocketCounters): { bytes: number; closed: number; opened: number } {
  let bytes = 0
  let opened = 0
  for (const [key, sent] of after.sockets) {
    const was = before.sockets.get(key)
    if (was === undefined) opened++
    bytes += sent - (was ?? 0)
  }
  let closed = 0
  for (const key of before.sockets.keys()) if (!after.sockets.has(key)) closed++
  return { bytes, closed, opened }
}

async function wchar(pids: readonly number[]): Promise<number> {
  let total = 0
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/io`, 'utf8')
    const m = /wchar:\s*(\d+)/.exec(text)
    if (!m) throw new Error(`no wchar in /proc/${pid}/io`)
    total += Number(m[1])
  }
  return total
}

async function ssAvailable(): Promise<boolean> {
  try {
    await execFileP('ss', ['-V'])
    return true
  } catch {
    return false
  }
}

// ---- 1. propagation and bytes on an 8-process devnet ------------------------

interface Seen {
  /** node index → performance.now() of its notification. */
  at: Map<number, number>
}

async function propagation(base: string): Promise<void> {
  const dir = join(base, 'propagation')
  await mkdir(dir, { recursive: true })
  const genesis = devnetGenesis(PROPAGATION_PARAMS, 'peerchain-bench-net')
  const senders = Array.from({ length: TX_SAMPLES }, (_, i) => benchKey(i))
  genesis.alloc = senders.map((k) => ({ address: addressFromPublicKey(k.publicKey), balance: 1_000_000n * COIN }))
  const genesisPath = join(dir, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis)))

  const cluster = new Cluster(dir)
  const sockets: RpcSocket[] = []
  try {
    progress(`starting ${NODES} node processes`)
    const miner = await cluster.start('n0', genesisPath, { role: 'miner' })
    // In parallel; settled before going on, so every node that did start is in the cluster to be stopped.
    const starts = await Promise.allSettled(
      Array.from({ length: NODES - 1 }, (_, i) => cluster.start(`n${i + 1}`, genesisPath, { bootstrap: [miner.addr] })),
    )
    for (const s of starts) if (s.status === 'rejected') throw s.reason
    const { nodes } = cluster

    const peerCounts = async (): Promise<number[]> =>
      Promise.all(nodes.map(async (n) => (await n.client.call('net_peers')).length))
    await until('every node connected', async () => (await peerCounts()).every((c) => c >= 1), 60_000, 200)
    // Give discovery a moment to go beyond the star around the bootstrap node.
    await until('every node with 3+ peers', async () => (await peerCounts()).every((c) => c >= 3), 15_000, 250).catch(
      () => undefined,
    )

    const heads = new Map<string, Seen & { height: number }>()
    const txs = new Map<string, Seen>()
    for (const [i, n] of nodes.entries()) {
      const socket = await n.client.socket()
      sockets.push(socket)
      await socket.subscribe('newHeads', (head: HeadJson) => {
        const now = performance.now()
        let seen = heads.get(head.hash)
        if (!seen) {
          seen = { at: new Map(), height: head.height }
          heads.set(head.hash, seen)
        }
        if (!seen.at.has(i)) seen.at.set(i, now)
      })
      await socket.subscribe('newPendingTransactions', (tx: MempoolTxJson) => {
        const now = performance.now()
        const seen = txs.get(tx.hash)
        if (seen && !seen.at.has(i)) seen.at.set(i, now)
      })
    }

    const minerHeight = async (): Promise<number> => (await miner.client.call('chain_head')).height
    const startHeight = await minerHeight()
    progress(`mining; warming up for ${WARMUP_BLOCKS} blocks (the target retargets meanwhile)`)
    await miner.client.call('miner_start')
    const warmStart = performance.now()
    await until('warm-up blocks', async () => (await minerHeight()) >= startHeight + WARMUP_BLOCKS, 120_000, 100)
    const warmSeconds = (performance.now() - warmStart) / 1000
    const measureFrom = (await minerHeight()) + 1
    const peersAtStart = await peerCounts()
    progress(`peers per node: ${peersAtStart.join(' ')}; warm-up ${(warmSeconds / WARMUP_BLOCKS).toFixed(2)} s/block`)

    /** A block reached every node; resolves its hash. */
    const everywhere = (height: number): Promise<string> =>
      until(
        `block ${height} on every node`,
        () => {
          for (const [hash, s] of heads) if (s.height === height && s.at.size === NODES) return hash
          return undefined
        },
        30_000,
      )

    // Transactions: one at a time, to a random node, while blocks keep coming.
    progress(`submitting ${TX_SAMPLES} txs one at a time`)
    const random = rng(0x5eed)
    const txTimes: number[] = []
    let txIncomplete = 0
    const recipient = addressFromPublicKey(benchKey(TX_SAMPLES + 100).publicKey)
    for (let i = 0; i < TX_SAMPLES; i++) {
      const tx = Tx.create(
        { chainId: genesis.chainId, recipient, amount: 1000n + BigInt(i), fee: 10n, nonce: 0n },
        senders[i]!,
      )
      const target = nodes[Math.floor(random() * NODES)] as BenchNode
      const seen: Seen = { at: new Map() }
      txs.set(tx.id, seen)
      const t0 = performance.now()
      await target.client.call('tx_submit', { tx: toHex(tx.bytes) })
      try {
        await until(`tx ${i} on every node`, () => seen.at.size === NODES, 10_000, 5)
        txTimes.push(Math.max(...seen.at.values()) - t0)
      } catch {
        txIncomplete++
        progress(`tx ${i} reached ${seen.at.size}/${NODES} nodes within 10 s`)
      }
      await sleep(150 + random() * 250)
    }
    const tx = summary(txTimes)
    report('propagation_tx_ms', tx.median, 'ms', {
      p90: tx.p90,
      max: tx.max,
      min: tx.min,
      samples: txTimes.length,
      incomplete: txIncomplete,
      nodes: NODES,
      from: 'tx_submit sent',
      to: "last node's newPendingTransactions",
    })

    // Bytes: a window of K blocks without txs, boundaries where a block has reached every node.
    const hasSs = await ssAvailable()
    const pids = new Set(nodes.map((n) => n.process.pid as number))
    const rpcPorts = new Set(nodes.map((n) => n.rpcPort))
    const snapshot = async () => ({
      t: performance.now(),
      tcp: hasSs ? await tcpBytesSent(pids, rpcPorts) : undefined,
      wchar: await wchar([...pids]),
    })
    progress(`bytes window: ${BYTES_WINDOW_BLOCKS} blocks, no txs`)
    const h0 = (await minerHeight()) + 1
    await everywhere(h0)
    const w0 = await snapshot()
    await everywhere(h0 + BYTES_WINDOW_BLOCKS)
    const w1 = await snapshot()
    const windowMs = w1.t - w0.t

    // Blocks: everything mined since the warm-up reached all nodes; keep going until there are enough.
    const blockSamples = (): { times: number[]; incomplete: number; notFromMiner: number } => {
      const times: number[] = []
      let incomplete = 0
      let notFromMiner = 0
      const cutoff = performance.now() - 5_000
      for (const s of heads.values()) {
        if (s.height < measureFrom) continue
        const first = s.at.get(0)
        if (first === undefined || first > cutoff) continue
        if (s.at.size < NODES) {
          incomplete++
          continue
        }
        if (Math.min(...s.at.values()) < first) notFromMiner++
        times.push(Math.max(...s.at.values()) - first)
      }
      return { times, incomplete, notFromMiner }
    }
    await until('enough block samples', () => blockSamples().times.length >= BLOCK_SAMPLES_MIN, 120_000, 250)

    // Idle baseline of the same length: mining stopped, nothing to gossip.
    await miner.client.call('miner_stop')
    await sleep(1500)
    const i0 = await snapshot()
    await sleep(Math.min(windowMs, 15_000))
    const i1 = await snapshot()
    const idleMs = i1.t - i0.t

    const blocks = blockSamples()
    const b = summary(blocks.times)
    report('propagation_block_ms', b.median, 'ms', {
      p90: b.p90,
      max: b.max,
      min: b.min,
      samples: blocks.times.length,
      incomplete: blocks.incomplete,
      nodes: NODES,
      from: "miner's newHeads",
      to: "last node's newHeads",
      blockIntervalS: windowMs / 1000 / BYTES_WINDOW_BLOCKS,
      peersPerNode: peersAtStart.reduce((a, c) => a + c, 0) / NODES,
    })

    const perNodeBlock = (bytes: number): number => bytes / BYTES_WINDOW_BLOCKS / NODES
    const wcharWindow = w1.wchar - w0.wchar
    const wcharIdle = ((i1.wchar - i0.wchar) / idleMs) * windowMs
    const wcharFields = {
      wcharPerNodePerBlock: perNodeBlock(wcharWindow),
      wcharNetOfIdle: perNodeBlock(wcharWindow - wcharIdle),
      wcharNote: '/proc/<pid>/io wchar: every write() incl. sockets, LevelDB, logs (warn)',
    }
    // ss may run yet not see the sockets (another user's processes): then only wchar is left.
    if (w0.tcp && w1.tcp && i0.tcp && i1.tcp && w0.tcp.sockets.size > 0) {
      const win = tcpDelta(w0.tcp, w1.tcp)
      const idle = tcpDelta(i0.tcp, i1.tcp)
      const idleInWindow = (idle.bytes / idleMs) * windowMs
      report('bytes_sent_per_node_per_block', perNodeBlock(win.bytes), 'bytes', {
        netOfIdle: perNodeBlock(win.bytes - idleInWindow),
        idleBytesPerNodePerS: idle.bytes / NODES / (idleMs / 1000),
        blocks: BYTES_WINDOW_BLOCKS,
        windowS: windowMs / 1000,
        nodes: NODES,
        txs: 0,
        method: 'tcp_info bytes_sent of each node process TCP socket (ss -tinp), RPC sockets excluded',
        socketsOpenedClosed: `${win.opened}/${win.closed}`,
        ...wcharFields,
      })
    } else {
      report('bytes_sent_per_node_per_block', perNodeBlock(wcharWindow), 'bytes', {
        netOfIdle: wcharFields.wcharNetOfIdle,
        blocks: BYTES_WINDOW_BLOCKS,
        windowS: windowMs / 1000,
        nodes: NODES,
        txs: 0,
        method: wcharFields.wcharNote,
      })
    }
  } finally {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)))
    await cluster.stopAll()
  }
}

// ---- 2. sync from 3 peers against the single-node import rate ----------------

/**
 * The blocks of `batches` on top of genesis, made directly from the ledger's
 * rules (apply the txs, pay the miner, update the state trie, seal): half the
 * cost of building and importing each on a Chain. The timed import checks
 * every rule of every block, so a block made wrong here fails loudly there.
 */
async function produceBlocks(genesis: Genesis, batches: Iterable<Tx[]>): Promise<Uint8Array[]> {
  const store = new MemoryStore()
  await store.open()
  try {
    const trie = await StateTrie.open(store)
    const engine = new PowEngine(genesis.params)
    let parent = (await buildGenesisBlock(genesis, trie)).header
    await store.batch(trie.takeWrites())
    const accounts = new Map<string, Account>(genesisAccounts(genesis).map((c) => [toHex(c.address), c.account]))
    // With no retarget within the run, the target is the parent's and no ancestor is ever asked for.
    const noAncestors: HeaderTree = {
      ancestor: () => {
        throw new Error('a retarget within the bench chain: keep retargetInterval above the block count')
      },
    }
    const miner = addressFromPublicKey(benchKey(SYNC_ACCOUNTS + 1).publicKey)
    const blocks: Uint8Array[] = []
    for (const txs of batches) {
      const height = parent.height + 1
      const subsidy = subsidyAt(height, genesis.params)
      const reward = txs.reduce((sum, tx) => sum + tx.fields.fee, subsidy)
      const overlay = new StateOverlay((hex) => accounts.get(hex))
      applyBlockTxs(overlay, txs, miner, reward, subsidy)
      const changes = overlay.changes()
      const stateRoot = await trie.update(parent.fields.stateRoot, changes)
      await store.batch(trie.takeWrites())
      for (const c of changes) accounts.set(toHex(c.address), c.account)
      const header = await engine.seal({
        version: BLOCK_VERSION,
        height: BigInt(height),
        parentHash: parent.hash,
        timestamp: parent.fields.timestamp + BigInt(SYNC_BLOCK_SPACING_MS),
        txRoot: txRootOf(txs),
        stateRoot,
        target: bigintToBytes(engine.nextTarget(parent, noAncestors)),
        miner,
        reward,
        nonce: 0n,
      })
      if (!header) throw new Error('sealing failed')
      // Only the bytes are kept: 2,000 decoded blocks would hold 200,000 Tx objects.
      blocks.push(new Block(header, txs).bytes)
      parent = header
    }
    return blocks
  } finally {
    await store.close()
  }
}

/**
 * Decodes and imports `blocks` into a fresh LevelDB chain at `dbPath` (the
 * node's layout), timed: seconds in all and per quarter of the chain.
 */
async function importInto(
  dbPath: string,
  genesis: Genesis,
  blocks: readonly Uint8Array[],
): Promise<{ seconds: number; quarters: number[] }> {
  const store = new LevelStore(dbPath)
  await store.open()
  const verifier = new SignatureVerifier({})
  try {
    const chain = await Chain.open({
      store,
      genesis,
      engine: new PowEngine(genesis.params),
      clock: systemClock,
      signatures: verifier,
    })
    const { blockBytesMax, blockTxsMax } = genesis.limits
    const quarters: number[] = []
    const start = performance.now()
    let mark = start
    for (const [i, bytes] of blocks.entries()) {
      const block = Block.fromBytes(bytes, { blockBytesMax, blockTxsMax })
      const result = await chain.importBlock(block, 'rpc')
      if (result.status !== 'head') throw new Error(`block ${block.height} did not become the head: ${result.status}`)
      if ((i + 1) % (blocks.length / 4) === 0) {
        const now = performance.now()
        quarters.push((now - mark) / 1000)
        mark = now
      }
    }
    const seconds = (performance.now() - start) / 1000
    await chain.close()
    return { seconds, quarters }
  } finally {
    await verifier.close()
    await store.close()
  }
}

async function syncVsImport(base: string): Promise<void> {
  const dir = join(base, 'sync')
  await mkdir(dir, { recursive: true })
  const template = benchGenesis(SYNC_ACCOUNTS)
  template.chainId = 'peerchain-bench-sync'
  // Blocks every SYNC_BLOCK_SPACING_MS from genesis, the last about a minute ago: valid on the nodes' real clocks.
  template.timestampMs = Date.now() - (SYNC_BLOCKS * SYNC_BLOCK_SPACING_MS + 60_000)
  // The genesis the nodes will read, parsed back, so both sides build the same genesis block.
  const genesisJson = genesisToJson(template)
  const genesis = parseGenesis(genesisJson)
  const genesisPath = join(dir, 'genesis.json')
  await writeFile(genesisPath, JSON.stringify(genesisJson))

  progress(`signing ${SYNC_BLOCKS * SYNC_TXS_PER_BLOCK} transfers and producing ${SYNC_BLOCKS} blocks of them`)
  const blocks = await produceBlocks(
    genesis,
    transferBatches(SYNC_ACCOUNTS, SYNC_BLOCKS, SYNC_TXS_PER_BLOCK, genesis.chainId),
  )
  const tip = Block.fromBytes(blocks.at(-1) as Uint8Array)

  progress(`importing ${SYNC_BLOCKS} blocks into a LevelDB chain (timed)`)
  const peerDirs = Array.from({ length: SYNC_PEERS }, (_, i) => join(dir, `peer-${i}`))
  const { seconds, quarters } = await importInto(join(peerDirs[0] as string, 'chain'), genesis, blocks)
  const importRate = SYNC_BLOCKS / seconds
  report('import_blocks_per_s', importRate, 'blocks/s', {
    blocks: SYNC_BLOCKS,
    txsPerBlock: SYNC_TXS_PER_BLOCK,
    txPerS: (SYNC_BLOCKS * SYNC_TXS_PER_BLOCK) / seconds,
    seconds,
    perQuarter: quarters.map((q) => Math.round(SYNC_BLOCKS / 4 / q)).join('/'),
    store: 'leveldb',
    from: 'block bytes (decoded in the timed loop, as sync receives them)',
    signatures: 'SignatureVerifier (workers)',
  })
  for (const d of peerDirs.slice(1))
    await cp(join(peerDirs[0] as string, 'chain'), join(d, 'chain'), { recursive: true })

  const cluster = new Cluster(dir)
  let socket: RpcSocket | undefined
  try {
    progress(`starting ${SYNC_PEERS} nodes on the copied chain`)
    const peers: BenchNode[] = []
    for (const [i, d] of peerDirs.entries()) peers.push(await cluster.start(`peer-${i}`, genesisPath, { dataDir: d }))
    for (const p of peers) {
      const head = await p.client.call('chain_head')
      if (head.hash !== tip.id || head.height !== SYNC_BLOCKS) {
        throw new Error(`${p.name} is at ${head.height} ${head.hash}, not ${SYNC_BLOCKS} ${tip.id}`)
      }
    }

    progress(`starting a fresh node bootstrapped to the ${SYNC_PEERS}; timing its sync`)
    let done: number | undefined
    let first: number | undefined
    const quarterAt: number[] = []
    const spawnAt = performance.now()
    const fresh = await cluster.start('fresh', genesisPath, { bootstrap: peers.map((p) => p.addr) })
    const readyAt = performance.now()
    socket = await fresh.client.socket()
    await socket.subscribe('newHeads', (head: HeadJson) => {
      const now = performance.now()
      first ??= now
      while (quarterAt.length < 4 && head.height >= ((quarterAt.length + 1) * SYNC_BLOCKS) / 4) quarterAt.push(now)
      if (head.hash === tip.id) done ??= now
    })
    // The head may have arrived before the subscription: check once over RPC as well.
    await until(
      'the fresh node to reach the peers’ head',
      async () => {
        if (done !== undefined) return true
        const head = await fresh.client.call('chain_head')
        if (head.hash === tip.id) done ??= performance.now()
        return done !== undefined
      },
      SYNC_TIMEOUT_MS,
      250,
    )
    const syncSeconds = ((done as number) - readyAt) / 1000
    const syncRate = SYNC_BLOCKS / syncSeconds
    const syncPeers = (await fresh.client.call('net_peers')).length
    report('sync_blocks_per_s', syncRate, 'blocks/s', {
      peers: SYNC_PEERS,
      blocks: SYNC_BLOCKS,
      txsPerBlock: SYNC_TXS_PER_BLOCK,
      seconds: syncSeconds,
      perQuarter:
        quarterAt.length === 4
          ? quarterAt
              .map((t, i) => Math.round(SYNC_BLOCKS / 4 / ((t - (i === 0 ? readyAt : quarterAt[i - 1]!)) / 1000)))
              .join('/')
          : null,
      from: 'fresh node ready line',
      firstHeadAfterReadyMs: first === undefined ? null : first - readyAt,
      spawnToReadyMs: readyAt - spawnAt,
      peersConnectedAtEnd: syncPeers,
    })
    report('sync_vs_import', syncRate / importRate, 'ratio', {
      sync: syncRate,
      import: importRate,
      blocks: SYNC_BLOCKS,
      txsPerBlock: SYNC_TXS_PER_BLOCK,
    })
  } finally {
    await socket?.close().catch(() => undefined)
    await cluster.stopAll()
  }
}

// ---- the suite -------------------------------------------------------------

/** Runs `parts` in a temp dir, stopping every node process and removing the dir however it ends. */
async function withCleanup(parts: (base: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'peerchain-bench-net-'))
  const started = performance.now()
  // Interrupted: stop the node processes and remove the temp dir before leaving.
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: cleaning up`)
    void Promise.allSettled([...live].map((c) => c.stopAll()))
      .then(() => rm(base, { recursive: true, force: true }))
      .finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await parts(base)
    progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  } catch (err) {
    progress(`failed${process.env.PEERCHAIN_BENCH_KEEP ? `; node logs are in ${base}` : ''}`)
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (!process.env.PEERCHAIN_BENCH_KEEP) await rm(base, { recursive: true, force: true })
  }
}

/** Fresh-node sync from 3 peers against single-node import (the chain bench prints it too). */
export const runSyncVsImport = (): Promise<void> => withCleanup(syncVsImport)

export async function run(): Promise<void> {
  await withCleanup(async (base) => {
    await syncVsImport(base)
    await propagation(base)
  })
}

if (isMain(import.meta.url)) await run()
