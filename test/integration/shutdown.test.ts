/**
 * Graceful shutdown: SIGTERM (and SIGINT) in the middle of mining stop the
 * miner, the API and the network, close the store and exit 0; the next start
 * opens the same chain. What matters is that no block is lost and the chain
 * is the same one, not how many blocks the miner sealed while it was stopping
 * (that depends on the load on the machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RpcClient } from '../../src/api/client.js'
import type { HeadJson as AnnouncedHead } from '../../src/api/json.js'
import { blockAt, head, TestNet, type TestNode, waitForHeight } from '../helpers/devnet.js'

let net: TestNet

beforeAll(async () => {
  net = await TestNet.create()
}, 60_000)

afterAll(async () => {
  await net?.close()
})

function stopWith(node: TestNode, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    node.process.once('exit', (code) => resolve({ code, ms: Date.now() - started }))
    node.process.kill(signal)
  })
}

/** Records every head `node` announces over its WebSocket (`newHeads`), in order. */
async function watchHeads(node: TestNode): Promise<{ heads: AnnouncedHead[]; close(): Promise<void> }> {
  const socket = await new RpcClient(node.rpc).socket()
  const heads: AnnouncedHead[] = []
  await socket.subscribe('newHeads', (h) => heads.push(h))
  return { heads, close: () => socket.close() }
}

/** The hash of each block of `node`'s chain, by height, from genesis to `height`. */
async function hashesUpTo(node: TestNode, height: number): Promise<string[]> {
  const hashes: string[] = []
  for (let h = 0; h <= height; h++) hashes.push((await blockAt(node, h))?.hash ?? `no block at ${h}`)
  return hashes
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} while mining exits 0, loses no block, and the next start resumes the same chain`, async () => {
      const name = `miner-${signal}`
      const first = await net.start(name, { mine: true })
      const watch = await watchHeads(first)
      await waitForHeight(first, 5)
      const before = await head(first)
      const reported = await hashesUpTo(first, before.height)
      // Blocks announced up to the signal: those the node told the world about before it was asked to stop.
      const announced = [...watch.heads]
      const stopped = await stopWith(first, signal)
      await watch.close()
      expect(stopped.code).toBe(0)
      expect(stopped.ms).toBeLessThan(10_000)
      expect(announced.length).toBeGreaterThan(0)

      // Restart without mining, so the chain holds still while it is read.
      const again = await net.start(name)
      const after = await head(again)

      // The same chain, resumed: it reaches at least as far, and extends the head from before the signal.
      const lastAnnounced = Math.max(...announced.map((h) => h.height))
      expect(after.height).toBeGreaterThanOrEqual(Math.max(before.height, lastAnnounced))
      expect((await blockAt(again, before.height))?.hash).toBe(before.hash)

      // No block lost: every block reported (by height, genesis to the head) or announced is still on it.
      expect(await hashesUpTo(again, before.height)).toEqual(reported)
      for (const h of announced) expect((await blockAt(again, h.height))?.hash, `block ${h.height}`).toBe(h.hash)

      const last = await stopWith(again, 'SIGTERM')
      expect(last.code).toBe(0)
    }, 60_000)
  }
})
