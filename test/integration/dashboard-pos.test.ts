/**
 * The dashboard of a proof-of-stake node in headless Chromium (Debian's,
 * driven by playwright-core): two real validator processes commit blocks,
 * and validator 0's page shows the validator-set card with both validators
 * (address, power, stake, jail, missed votes, one proposer), the finalized
 * height following the head and a finality lag of 0, all agreeing with
 * pos_validators. The screenshot is kept in test-artifacts/dashboard-pos.png.
 * The same node's operator surface outside the page: `peerchain validators`
 * and the proof-of-stake metrics at /metrics.
 */
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PosValidatorsJson } from '../../src/api/json.js'
import { devnetPosGenesis } from '../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../src/ledger/genesis-pos.js'
import { writeValidatorKey } from '../../src/node/validator-key.js'
import { launchChromium } from '../helpers/chromium.js'
import { cli, cliJson } from '../helpers/cli.js'
import { cookieOf, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-artifacts', 'dashboard-pos.png')
const UI_TIMEOUT_MS = 30_000

async function buildDashboard(): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', join(ROOT, 'dashboard', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT },
  )
}

describe('the dashboard of a proof-of-stake node', () => {
  let net: TestNet | undefined
  let browser: Browser | undefined
  let v0: TestNode

  beforeAll(async () => {
    await buildDashboard()
    net = await TestNet.create(devnetPosGenesis(2))
    for (let i = 0; i < 2; i++) await writeValidatorKey(join(net.dir, `v${i}`), devnetValidatorKey(i))
    v0 = await net.start('v0', { extra: ['--role', 'validator'] })
    await net.start('v1', { bootstrap: [v0.addr], extra: ['--role', 'validator'] })
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await net?.close()
  })

  it('shows the validator set and finality, refreshed as blocks commit', async () => {
    await waitFor('height 2', async () => (await rpc<{ height: number }>(v0.rpc, 'chain_head')).height >= 2, 60_000)
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1000 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    try {
      // Reads only: no token needed on loopback.
      await page.goto(`${v0.rpc}dashboard/`)
      const card = page.getByTestId('validators-card')
      await expect.poll(() => card.count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
      const rows = card.getByTestId('validator-row')
      await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT_MS }).toBe(2)

      const set = await rpc<PosValidatorsJson>(v0.rpc, 'pos_validators')
      const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-address')))
      expect(shown).toEqual(set.validators.map((v) => v.address))
      expect(await card.locator('[data-testid="validator-row"][data-proposer="true"]').count()).toBe(1)
      const first = rows.first()
      const cells = await first.locator('td').allTextContents()
      // address (shortened), power, stake in coins, jail, missed of the window
      expect(cells[1]).toBe(BigInt(set.validators[0]?.power ?? '0').toLocaleString('en-US'))
      expect(cells[2]).toBe('1,000')
      expect(cells[3]).toBe('no')
      expect(cells[4]).toMatch(/^\d+ \/ [\d,]+$/)

      // Finality: the finalized height follows the head, with no lag.
      const finalized = async () =>
        Number(await card.getByTestId('finalized-height').locator('span').getAttribute('data-height'))
      await expect.poll(finalized, { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(2)
      const before = await finalized()
      await expect.poll(finalized, { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(before)
      expect(await card.getByTestId('finality-lag').textContent()).toBe('0 blocks')
      expect(pageErrors).toEqual([])
    } finally {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      await page.close()
    }
  })

  it('lists the set with `peerchain validators` and exposes the proof-of-stake metrics', async () => {
    const set = await cliJson<PosValidatorsJson>(['validators', '--rpc', v0.rpc])
    expect(set.validators).toHaveLength(2)
    const table = await cli(['validators', '--rpc', v0.rpc, '--height', '1'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^2 validators at #1 \(epoch 0, the next from #100\)/)
    for (const v of set.validators) expect(table.stdout).toContain(v.address)
    expect(table.stdout).toMatch(/\*$/m)
    const tooHigh = await cli(['validators', '--rpc', v0.rpc, '--height', '999999'])
    expect(tooHigh.code).toBe(1)

    const token = await cookieOf(v0.rpc)
    await waitFor(
      'PoS metrics with a timed commit',
      async () => {
        const res = await fetch(new URL('/metrics', v0.rpc), { headers: { authorization: `Bearer ${token}` } })
        const text = await res.text()
        const count = /^peerchain_pos_commit_latency_seconds_count (\d+)/m.exec(text)
        return (
          Number(count?.[1] ?? 0) > 0 &&
          /^peerchain_pos_rounds_per_height_count [1-9]/m.test(text) &&
          /^peerchain_pos_finality_lag_blocks 0$/m.test(text) &&
          set.validators.every((v) => text.includes(`peerchain_pos_missed_votes{validator="${v.address}"}`))
        )
      },
      30_000,
    )
  })
})
