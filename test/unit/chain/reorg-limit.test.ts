/**
 * The reorg safety limit: a config key an operator can raise (chain.max_reorg_depth,
 * --max-reorg-depth) with the chain's default, and a refusal that says which key to raise,
 * once per fork.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Chain, DEFAULT_MAX_REORG_DEPTH, MAX_REORG_DEPTH_KEY } from '../../../src/chain/chain.js'
import { CONFIG_DEFAULTS, resolveNodeConfig } from '../../../src/config/index.js'
import { configKey } from '../../../src/config/schema.js'
import { PowEngine } from '../../../src/consensus/pow/engine.js'
import { Block } from '../../../src/ledger/block.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { ManualClock } from '../../../src/util/clock.js'
import { inlineSignatures, openTestChain, type TestChain, testGenesis } from '../../helpers/chain.js'
import { mineFast } from '../sync/helpers.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function mineOn(t: TestChain, count: number): Promise<Block[]> {
  const out: Block[] = []
  for (let i = 0; i < count; i++) {
    const block = await mineFast(t)
    await t.chain.importBlock(block, 'rpc')
    out.push(block)
  }
  return out
}

describe('the reorg safety limit', () => {
  it('is the config key chain.max_reorg_depth, with the chain default, set by --max-reorg-depth', async () => {
    expect(MAX_REORG_DEPTH_KEY).toBe('chain.max_reorg_depth')
    expect(CONFIG_DEFAULTS.chain.max_reorg_depth).toBe(DEFAULT_MAX_REORG_DEPTH)
    expect(configKey(MAX_REORG_DEPTH_KEY)?.flag).toBe('--max-reorg-depth')
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-reorg-limit-'))
    dirs.push(dir)
    const config = await resolveNodeConfig({ flags: { datadir: dir, maxReorgDepth: '25000' }, env: {}, cwd: dir })
    expect(config.maxReorgDepth).toBe(25_000)
    const fromEnv = await resolveNodeConfig({
      flags: { datadir: dir },
      env: { PEERCHAIN_CHAIN_MAX_REORG_DEPTH: '50' },
      cwd: dir,
    })
    expect(fromEnv.maxReorgDepth).toBe(50)
  })

  it('refuses a deeper fork without charging the peer, logging once per fork which key to raise', async () => {
    const logged: string[] = []
    const genesis = testGenesis()
    const store = new MemoryStore()
    await store.open()
    const clock = new ManualClock(genesis.timestampMs + 1000)
    const engine = new PowEngine(genesis.params)
    const deps = { store, genesis, engine, clock, signatures: inlineSignatures, log: (msg: string) => logged.push(msg) }
    const t: TestChain = { chain: await Chain.open(deps, { maxReorgDepth: 3 }), engine, clock, store, genesis }
    const { chain } = t
    await mineOn(t, 5)
    const b = await openTestChain()
    b.clock.advance(500)
    const fork = await mineOn(b, 7)
    clock.set(b.clock.nowMs())
    // The refused block is not stored: peers offer it again and again (gossip, then sync).
    for (const block of [fork[0], fork[0], fork[0]] as Block[]) {
      await expect(chain.importBlock(Block.fromBytes(block.bytes), 'gossip')).rejects.toMatchObject({
        code: 'BLOCK_REORG_TOO_DEEP',
        verdict: 'ignore',
        penalty: 0,
      })
    }
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(
      /refusing a reorg of 5 blocks: deeper than chain\.max_reorg_depth \(3\); raise chain\.max_reorg_depth/,
    )
  })

  it('a raised limit follows the same fork', async () => {
    const a = await openTestChain({ chain: { maxReorgDepth: 5 } })
    await mineOn(a, 5)
    const b = await openTestChain()
    b.clock.advance(500)
    const fork = await mineOn(b, 6)
    a.clock.set(b.clock.nowMs())
    for (const block of fork) await a.chain.importBlock(Block.fromBytes(block.bytes), 'gossip')
    expect(a.chain.head.id).toBe(b.chain.head.id)
  })
})
