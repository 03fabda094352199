/**
 * Graceful shutdown: SIGTERM (and SIGINT) in the middle of mining stop the
 * miner, the API and the network, close the store and exit 0; the next start
 * opens the same chain at the head it had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} while mining exits 0 and the next start resumes on the same head`, async () => {
      const name = `miner-${signal}`
      const first = await net.start(name, { mine: true })
      await waitForHeight(first, 5)
      const before = await head(first)
      const stopped = await stopWith(first, signal)
      expect(stopped.code).toBe(0)
      expect(stopped.ms).toBeLessThan(10_000)

      // Restart without mining: the head is where it was (or one block on, if one was sealed in between).
      const again = await net.start(name)
      const after = await head(again)
      expect(after.height).toBeGreaterThanOrEqual(before.height)
      expect(after.height).toBeLessThanOrEqual(before.height + 1)
      expect(await blockAt(again, before.height)).toMatchObject({ hash: before.hash })
      const last = await stopWith(again, 'SIGTERM')
      expect(last.code).toBe(0)
    }, 60_000)
  }
})
