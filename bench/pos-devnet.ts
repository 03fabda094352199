/**
 * Proof of stake on a real devnet: 4 validator processes and one full node
 * (`peerchain start --role validator`, the built-in devnet PoS genesis of
 * `peerchain devnet --consensus pos --validators 4`: 1 s commit pause,
 * propose 1 s, prevote and precommit 0.5 s) over libp2p on 127.0.0.1, each
 * writing its event trace (`--trace`). Once every node holds height WARMUP
 * (all four connected), the next POS_DEVNET_BLOCKS (30) blocks are measured:
 *
 * - block time: the difference of consecutive blocks' header timestamps
 *   (each set by the height's proposer when it builds its candidate);
 * - finality lag: for each node and block, the first `head` trace line at or
 *   above the block's height minus the block's timestamp. Under BFT finality
 *   a block is final when it is committed (chain_head's finalizedHeight is
 *   the head), so this is the commit delay each node sees.
 *
 * Every process is stopped and the temp dir removed, on failure too.
 * `npx tsx bench/pos-devnet.ts`, or with the simulator: `npm run bench -- pos`.
 */
import '../src/util/shims.js'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlockJson, HeadJson } from '../src/api/json.js'
import { devnetPosGenesis, devnetValidatorKey } from '../src/ledger/genesis.js'
import { writeValidatorKey } from '../src/node/validator-key.js'
import { rpc, TestNet, type TestNode, waitFor } from '../test/helpers/devnet.js'
import { isMain, report } from './common.js'

const VALIDATORS = 4
const BLOCKS = Number(process.env.POS_DEVNET_BLOCKS ?? 30)
/** Heights left out at the start: the first ones wait for the validators to start and connect. */
const WARMUP = 3

const progress = (msg: string): void => {
  process.stderr.write(`pos devnet bench: ${msg}\n`)
}

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}

/** A trace's head lines: [epoch ms, height], in file order. */
async function headsOf(path: string): Promise<Array<[number, number]>> {
  const out: Array<[number, number]> = []
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.includes('"e":"head"')) continue
    try {
      const event = JSON.parse(line) as { t: number; height: number }
      out.push([event.t, event.height])
    } catch {
      // a half line at the end of a killed node's trace
    }
  }
  return out
}

export async function run(): Promise<void> {
  const started = performance.now()
  const net = await TestNet.create(devnetPosGenesis(VALIDATORS))
  try {
    const traceOf = (name: string) => ['--trace', join(net.dir, `${name}.trace.jsonl`)]
    const names: string[] = []
    for (let i = 0; i < VALIDATORS; i++) await writeValidatorKey(join(net.dir, `v${i}`), devnetValidatorKey(i))
    const boot = await net.start('v0', { extra: ['--role', 'validator', ...traceOf('v0')] })
    names.push('v0')
    const nodes: TestNode[] = [boot]
    for (let i = 1; i < VALIDATORS; i++) {
      nodes.push(
        await net.start(`v${i}`, { bootstrap: [boot.addr], extra: ['--role', 'validator', ...traceOf(`v${i}`)] }),
      )
      names.push(`v${i}`)
    }
    nodes.push(await net.start('full', { bootstrap: [boot.addr], extra: traceOf('full') }))
    names.push('full')
    progress(
      `${VALIDATORS} validators and a full node started in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )

    const heads = () => Promise.all(nodes.map((n) => rpc<HeadJson>(n.rpc, 'chain_head')))
    await waitFor(
      `height ${WARMUP} on every node`,
      async () => (await heads()).every((h) => h.height >= WARMUP),
      120_000,
    )
    const from = Math.max(...(await heads()).map((h) => h.height))
    const to = from + BLOCKS
    progress(`measuring heights ${from + 1} … ${to}`)
    await waitFor(
      `height ${to} on every node`,
      async () => (await heads()).every((h) => h.height >= to),
      BLOCKS * 20_000,
    )
    const last = await heads()
    const finalLag = last.filter((h) => h.finalizedHeight !== h.height).length
    const blocks: BlockJson[] = []
    for (let h = from; h <= to; h++) blocks.push(await rpc<BlockJson>(boot.rpc, 'chain_getBlock', { height: h }))
    const hashes = await Promise.all(nodes.map((n) => rpc<BlockJson>(n.rpc, 'chain_getBlock', { height: to })))
    const agree = new Set(hashes.map((b) => b.hash)).size === 1

    // Stop the nodes so their traces are flushed, then read them.
    for (const node of nodes) await net.stop(node)
    const stamp = new Map(blocks.map((b) => [b.height, b.timestamp]))
    const blockTimes: number[] = []
    for (let h = from + 1; h <= to; h++)
      blockTimes.push(((stamp.get(h) as number) - (stamp.get(h - 1) as number)) / 1000)
    const lags: number[] = []
    const fullLags: number[] = []
    for (const name of names) {
      const trace = await headsOf(join(net.dir, `${name}.trace.jsonl`))
      for (let h = from + 1; h <= to; h++) {
        const seen = trace.find(([, height]) => height >= h)
        if (!seen) continue
        const lag = (seen[0] - (stamp.get(h) as number)) / 1000
        lags.push(lag)
        if (name === 'full') fullLags.push(lag)
      }
    }
    const common = { validators: VALIDATORS, fullNodes: 1, blocks: BLOCKS, heights: `${from + 1}-${to}` }
    report('pos devnet block time p50', percentile(blockTimes, 0.5), 's', {
      ...common,
      p99: percentile(blockTimes, 0.99),
      max: Math.max(...blockTimes),
      commitPauseS: 1,
      definition: 'difference of consecutive block header timestamps',
    })
    report('pos devnet finality lag p50', percentile(lags, 0.5), 's', {
      ...common,
      p99: percentile(lags, 0.99),
      max: Math.max(...lags),
      samples: lags.length,
      fullNodeP50: percentile(fullLags, 0.5),
      fullNodeP99: percentile(fullLags, 0.99),
      headsNotFinalized: finalLag,
      sameBlockOnEveryNode: agree,
      definition: "block timestamp to the node's first head at or above it (final when committed), every node",
    })
    report('pos devnet wall time', (performance.now() - started) / 1000, 's', { ...common })
  } finally {
    await net.close()
  }
}

if (isMain(import.meta.url)) await run()
