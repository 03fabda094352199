/**
 * Crash consistency: a child process importing blocks (with reorgs) into a
 * LevelDB chain store is killed with SIGKILL at random moments, again and
 * again on the same directory. After every kill the store must hold a head the
 * child committed (a reorg commits one per block it walks over), with exactly
 * the state a control run (memory store, no crashes) has at that head, and
 * must open, recover (finishing a reorg cut short) and prove its accounts.
 *
 * Two kinds of kill: the parent's timer, at a random moment of the child's
 * start-up or imports (the bulk), and crash points, where the child kills
 * itself while its n-th store batch is in flight or just after it landed: the
 * instant between two batches is too short for a timer to hit by chance.
 *
 * Replay the kill decisions of a failed run with CRASH_SEED=<seed from its log>.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { Chain } from '../../src/chain/chain.js'
import { layout } from '../../src/chain/layout.js'
import { verifyAccountProof } from '../../src/chain/trie.js'
import { PowEngine } from '../../src/consensus/pow/engine.js'
import { Block } from '../../src/ledger/block.js'
import { genesisToJson } from '../../src/ledger/genesis.js'
import { accountFromBytes, EMPTY_ACCOUNT } from '../../src/ledger/state.js'
import type { BatchOp } from '../../src/storage/kv.js'
import { LevelStore } from '../../src/storage/level.js'
import { MemoryStore } from '../../src/storage/memory.js'
import { equalBytes, toHex } from '../../src/util/bytes.js'
import { ManualClock } from '../../src/util/clock.js'
import { seededRng } from '../../src/util/rng.js'
import { inlineSignatures, openTestChain } from '../helpers/chain.js'
import { type CrashPoint, formatCrashPoint } from '../helpers/crashing-store.js'
import { buildReorgSequence, type ReorgSequence } from '../helpers/reorg-sequence.js'
import { type HeadStateDigest, headStateDigest, inspectHeaders, storedHeadId } from '../helpers/store-state.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHILD_SOURCE = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
/** Kills by the parent's timer. */
const TIMED_KILLS = 32
/** Kills the child does itself at a store batch. */
const BATCH_KILLS = 16
/** Every this many timed kills, one aims at the child's start-up (module load, Chain.open and its recovery). */
const STARTUP_KILL_EVERY = 8
/** On average a store batch per this many positions of the sequence (side blocks one, head blocks two, reorgs one a step). */
const BATCHES_PER_BLOCK = 2.2
const CHILD_TIMEOUT_MS = 30_000
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))

/** What a run without crashes goes through: the head after each import and the state at every head. */
interface Control {
  genesisId: string
  finalId: string
  /** Sequence position of the import that first made each block the head; genesis is -1. */
  positionOf: Map<string, number>
  /** Heads that were only ever steps of a reorg: half a position before the import that walked over them. */
  stepPositionOf: Map<string, number>
  /** The state at every head committed, the steps of a reorg included. */
  digestOf: Map<string, HeadStateDigest>
  reorgDepths: number[]
}

/** A memory store that reports every head pointer a batch writes, once the batch has landed. */
class HeadRecordingStore extends MemoryStore {
  constructor(private readonly onHead: (id: string) => Promise<void>) {
    super()
  }

  override async batch(ops: BatchOp[]): Promise<void> {
    await super.batch(ops)
    const head = ops.find((op) => op.type === 'put' && equalBytes(op.key, layout.head))
    if (head?.type === 'put') await this.onHead(toHex(head.value))
  }
}

async function runControl(seq: ReorgSequence, clockMs: number): Promise<Control> {
  const positionOf = new Map<string, number>()
  const stepPositionOf = new Map<string, number>()
  const digestOf = new Map<string, HeadStateDigest>()
  let importing = -1
  const store: HeadRecordingStore = new HeadRecordingStore(async (id) => {
    if (!digestOf.has(id)) digestOf.set(id, await headStateDigest(store))
    if (!positionOf.has(id) && !stepPositionOf.has(id)) stepPositionOf.set(id, importing - 0.5)
  })
  const t = await openTestChain({ genesis: seq.genesis, clock: new ManualClock(clockMs), store })
  const reorgDepths: number[] = []
  t.chain.onHeadChange((change) => {
    if (change.disconnectedCount > 0) reorgDepths.push(change.disconnectedCount)
  })
  const genesisId = t.chain.head.id
  positionOf.set(genesisId, -1)
  stepPositionOf.delete(genesisId)
  for (const [i, block] of seq.blocks.entries()) {
    importing = i
    await t.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')
    const id = t.chain.head.id
    if (positionOf.has(id)) continue
    positionOf.set(id, i)
    stepPositionOf.delete(id)
  }
  return { genesisId, finalId: t.chain.head.id, positionOf, stepPositionOf, digestOf, reorgDepths }
}

type KillPlan =
  | { kind: 'timer'; after: 'spawn' | 'ready'; delayMs: number }
  | { kind: 'batch'; point: CrashPoint }
  | undefined

interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
  spawnToReadyMs?: number
  readyHead?: string
  lastHead?: string
  /** Time from ready to the last head report, for the import-rate estimate. */
  readyToLastHeadMs?: number
  done: boolean
  /** Killed because it ran past CHILD_TIMEOUT_MS: a hang, not a planned kill. */
  timedOut: boolean
}

let current: ChildProcess | undefined
/** crash-child.ts bundled into one module: 48 starts without a transpiler save ~0.6 s each. */
let childScript = ''

function runChild(dir: string, kill: KillPlan): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now()
    const env = { ...process.env }
    delete env.CRASH_AT_BATCH
    if (kill?.kind === 'batch') env.CRASH_AT_BATCH = formatCrashPoint(kill.point)
    const child = spawn(process.execPath, [childScript, dir], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    current = child
    const run: ChildRun = { code: null, signal: null, stderr: '', done: false, timedOut: false }
    let readyAt = 0
    const hung = () => {
      run.timedOut = true
      child.kill('SIGKILL')
    }
    const timers = [setTimeout(hung, CHILD_TIMEOUT_MS)]
    const schedule = (delayMs: number) => timers.push(setTimeout(() => child.kill('SIGKILL'), delayMs))
    if (kill?.kind === 'timer' && kill.after === 'spawn') schedule(kill.delayMs)
    let pending = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const [what, id] = line.split(' ')
        if (what === 'ready') {
          readyAt = performance.now()
          run.spawnToReadyMs = readyAt - started
          run.readyHead = id
          run.lastHead = id
          if (kill?.kind === 'timer' && kill.after === 'ready') schedule(kill.delayMs)
        } else if (what === 'head') {
          run.lastHead = id
          run.readyToLastHeadMs = performance.now() - readyAt
        } else if (what === 'done') run.done = true
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      run.stderr += chunk
    })
    // 'close' comes after the process is gone (its LevelDB lock released) and its output is read.
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer)
      current = undefined
      resolve({ ...run, code, signal })
    })
  })
}

/**
 * Bundles crash-child.ts and the sources it imports into one module (packages
 * stay imports), inside the repository so they resolve from node_modules.
 */
async function bundleChild(): Promise<string> {
  const outfile = join(ROOT, 'node_modules', '.cache', 'peerchain-test', `crash-child-${process.pid}.mjs`)
  await build({
    entryPoints: [CHILD_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'error',
  })
  return outfile
}

describe('crash consistency', () => {
  let dir: string | undefined

  afterAll(async () => {
    current?.kill('SIGKILL')
    if (dir) await rm(dir, { recursive: true, force: true })
    if (childScript) await rm(childScript, { force: true })
  })

  it(`a node SIGKILLed ${TIMED_KILLS + BATCH_KILLS} times mid-import restarts on a committed head with the control's state`, async () => {
    const startedMs = performance.now()
    const rng = seededRng(SEED)
    console.log(`crash-consistency seed ${SEED}`)
    const seq = await buildReorgSequence({ rounds: 18, seed: 7 })
    const clockMs = Math.max(...seq.blocks.map((b) => b.header.timestampMs))
    const control = await runControl(seq, clockMs)
    // The sequence must really exercise reorgs of several blocks, or the test proves little.
    expect(control.reorgDepths.filter((d) => d >= 3).length).toBeGreaterThanOrEqual(5)
    expect(seq.blocks.filter((b) => b.txs.length > 0).length).toBeGreaterThan(seq.blocks.length / 2)

    dir = await mkdtemp(join(tmpdir(), 'peerchain-crash-'))
    childScript = await bundleChild()
    await writeFile(join(dir, 'genesis.json'), JSON.stringify(genesisToJson(seq.genesis)))
    await writeFile(join(dir, 'blocks.txt'), `${seq.blocks.map((b) => toHex(b.bytes)).join('\n')}\n`)
    const db = join(dir, 'db')
    const copy = join(dir, 'db-copy')
    const positionOf = (id: string | undefined): number => {
      const position = id === undefined ? undefined : (control.positionOf.get(id) ?? control.stepPositionOf.get(id))
      if (position === undefined) throw new Error(`head ${id} is not a head of the control run`)
      return position
    }
    const lastPosition = seq.blocks.length - 1

    /** The store as the crash left it: a committed head, the control's state at it, a sound ancestry. */
    async function checkCrashedStore(): Promise<{ headId: string; pending: number } | undefined> {
      const store = new LevelStore(db)
      await store.open()
      try {
        const headId = await storedHeadId(store)
        if (headId === undefined) {
          // Killed before the genesis batch landed: then nothing at all may be there.
          const keys: string[] = []
          for await (const [key] of store.entries({ limit: 1 })) keys.push(toHex(key))
          expect(keys).toEqual([])
          return undefined
        }
        expect(control.digestOf.has(headId), `stored head ${headId} is no head of the control run`).toBe(true)
        expect(await headStateDigest(store)).toEqual(control.digestOf.get(headId))
        const headers = await inspectHeaders(store, headId)
        expect(headers.brokenMain).toEqual([])
        return { headId, pending: headers.pendingBetter.length }
      } finally {
        await store.close()
      }
    }

    /** A node restarting on (a copy of) the store: opens, recovers, and its trie agrees with its flat accounts. */
    async function checkRestart(): Promise<string> {
      await rm(copy, { recursive: true, force: true })
      await cp(db, copy, { recursive: true })
      const store = new LevelStore(copy)
      await store.open()
      try {
        const { genesis } = seq
        const engine = new PowEngine(genesis.params)
        const clock = new ManualClock(clockMs)
        const chain = await Chain.open({ store, genesis, engine, clock, signatures: inlineSignatures })
        const headId = chain.head.id
        expect(control.positionOf.has(headId), `recovered head ${headId} is no head of the control run`).toBe(true)
        expect(await headStateDigest(store)).toEqual(control.digestOf.get(headId))
        const root = chain.head.header.fields.stateRoot
        for (const address of seq.addresses) {
          const flat = await store.get(layout.account(address))
          const expected = flat ? accountFromBytes(flat) : undefined
          expect(await verifyAccountProof(root, address, await chain.proveAccount(address))).toEqual(expected)
          expect(await chain.getAccount(address)).toEqual(expected ?? EMPTY_ACCOUNT)
        }
        await chain.close()
        return headId
      } finally {
        await store.close()
      }
    }

    let blockMs = 3
    let startupMs = 700
    let expectedReady: string | undefined
    const landed = {
      timedStartup: 0,
      timedImporting: 0,
      batchDuring: 0,
      batchAfter: 0,
      unkilled: 0,
      midSequence: 0,
      atGenesis: 0,
      atFinal: 0,
      betweenImportBatches: 0,
      midReorg: 0,
      startedOver: 0,
    }
    const positions: number[] = []
    let timedKills = 0
    let batchKills = 0

    for (let cycle = 0; timedKills < TIMED_KILLS || batchKills < BATCH_KILLS; cycle++) {
      if (cycle >= 2 * (TIMED_KILLS + BATCH_KILLS))
        throw new Error(`${cycle} runs gave only ${timedKills + batchKills} kills`)
      if (positions.at(-1) === lastPosition) {
        // A run finished the sequence (a kill that came too late on a busy machine): with nothing
        // left to import no later kill could land mid-import, so the next run starts from nothing.
        await rm(db, { recursive: true, force: true })
        positions.push(-1)
        expectedReady = undefined
        landed.startedOver++
      }
      const remaining = lastPosition - (positions.at(-1) ?? -1)
      // Spread what is left of the sequence over the kills left: each run gets about 1/(kills left + 2) of it.
      const share = remaining / (TIMED_KILLS - timedKills + Math.max(0, BATCH_KILLS - batchKills) + 2)
      const useBatch = batchKills < BATCH_KILLS && (timedKills >= TIMED_KILLS || cycle % 3 === 2)
      const plan: KillPlan = useBatch
        ? {
            kind: 'batch',
            point: {
              batch: 1 + rng.int(Math.max(2, Math.round(2 * BATCHES_PER_BLOCK * share))),
              when: rng.next() < 0.5 ? 'during' : 'after',
            },
          }
        : timedKills % STARTUP_KILL_EVERY === STARTUP_KILL_EVERY - 1
          ? { kind: 'timer', after: 'spawn', delayMs: rng.next() * startupMs * 1.1 }
          : { kind: 'timer', after: 'ready', delayMs: rng.next() * Math.max(1, 2 * blockMs * share) }
      const run = await runChild(dir, plan)
      if (run.timedOut || (run.signal !== 'SIGKILL' && run.code !== 0)) {
        throw new Error(`cycle ${cycle}: the child failed (code ${run.code}):\n${run.stderr}`)
      }
      if (run.readyHead !== undefined && expectedReady !== undefined) {
        // The child recovered the store exactly as the in-process restart of the last cycle did.
        expect(run.readyHead).toBe(expectedReady)
      }
      if (run.spawnToReadyMs !== undefined) startupMs = run.spawnToReadyMs
      if (run.readyToLastHeadMs !== undefined && run.readyHead !== run.lastHead) {
        const advanced = positionOf(run.lastHead) - positionOf(run.readyHead)
        if (advanced >= 3) blockMs = run.readyToLastHeadMs / advanced
      }
      if (run.signal !== 'SIGKILL') landed.unkilled++
      else if (plan?.kind === 'batch') {
        batchKills++
        if (plan.point.when === 'during') landed.batchDuring++
        else landed.batchAfter++
      } else {
        timedKills++
        if (run.readyHead === undefined) landed.timedStartup++
        else landed.timedImporting++
      }

      const crashed = await checkCrashedStore()
      if (crashed === undefined) {
        landed.atGenesis++
        expectedReady = undefined
        continue
      }
      const rawPosition = positionOf(crashed.headId)
      if (crashed.headId === control.genesisId) landed.atGenesis++
      else if (crashed.headId === control.finalId) landed.atFinal++
      else landed.midSequence++
      if (crashed.pending > 0) landed.betweenImportBatches++
      if (control.stepPositionOf.has(crashed.headId)) landed.midReorg++

      const recovered = await checkRestart()
      // Only a stored block with more work than the head (killed between an import's two batches, or
      // in the middle of a reorg's walk) moves it at open.
      if (crashed.pending === 0) expect(recovered).toBe(crashed.headId)
      else expect(positionOf(recovered)).toBeGreaterThan(rawPosition)
      // Durability: every head change the child reported is still there, or a later head (a reorg
      // cut short stands on a step of its walk, and the restart finishes it).
      const settled = crashed.pending === 0 ? rawPosition : positionOf(recovered)
      if (run.lastHead !== undefined) expect(settled).toBeGreaterThanOrEqual(positionOf(run.lastHead))
      expectedReady = recovered
      positions.push(positionOf(recovered))
    }

    // A last run, never killed, must finish the sequence on the control's final head.
    const final = await runChild(dir, undefined)
    expect(final.timedOut).toBe(false)
    expect(final.code, final.stderr).toBe(0)
    expect(final.done).toBe(true)
    if (expectedReady !== undefined) expect(final.readyHead).toBe(expectedReady)
    expect(final.lastHead).toBe(control.finalId)
    const finished = await checkCrashedStore()
    expect(finished?.headId).toBe(control.finalId)
    expect(finished?.pending).toBe(0)
    expect(await checkRestart()).toBe(control.finalId)

    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1)
    console.log(
      `crash-consistency: ${timedKills} timed + ${batchKills} batch kills over ${seq.blocks.length} blocks (${control.reorgDepths.length} reorgs,` +
        ` depths ${control.reorgDepths.join(',')}); killed ${JSON.stringify(landed)};` +
        ` recovered positions ${positions.join(',')}; ${seconds} s`,
    )
    // Enough kills must land inside the import work for the test to mean anything.
    expect(landed.timedImporting).toBeGreaterThanOrEqual(10)
    expect(landed.midSequence).toBeGreaterThanOrEqual(10)
  }, 240_000)
})
