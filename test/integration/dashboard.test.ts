/**
 * The web dashboard in a real browser: Debian's Chromium, driven by
 * playwright-core, against a 3-node lab devnet (each node its own network
 * group). The page of node 0 must show its 2 peers, coloured by group with a
 * legend naming each group, and a head that grows, send a transaction through its form from a
 * devnet key the node holds unlocked, and show that transaction pending and
 * then included, while the chain agrees. The screenshot is kept in
 * test-artifacts/dashboard.png, whether the test passes or not.
 */
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labHost } from '../../src/lab/node-process.js'
import { formatAddress } from '../../src/ledger/address.js'
import { launchChromium } from '../helpers/chromium.js'
import { cookieOf, fastGenesis, rpc, TestNet, type TestNode } from '../helpers/devnet.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-artifacts', 'dashboard.png')
/** Node 0 holds built-in devnet account 0 unlocked in its wallet, as the key `devnet-0`. */
const DEV_ACCOUNTS = ['--dev-accounts', '0']
const SENDER = 'devnet-0'
/** An address no genesis account or miner uses, so its whole balance is what the page sent. */
const RECIPIENT = formatAddress(new Uint8Array(20).fill(0x5a))
const AMOUNT_COINS = '2.5'
const AMOUNT_BASE_UNITS = '250000000'
const UI_TIMEOUT_MS = 30_000

/** Builds the current dashboard sources into dist/dashboard, which the node serves. */
async function buildDashboard(): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', join(ROOT, 'dashboard', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT },
  )
}

/** Records every status a sent-transaction row shows, so a short-lived "pending" cannot slip between two polls. */
function recordSentStatuses(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { sentStatuses: string[] }).sentStatuses = seen
    const note = () => {
      for (const row of document.querySelectorAll('[data-testid="sent-tx"]')) {
        const status = row.getAttribute('data-status') ?? ''
        if (seen.at(-1) !== status) seen.push(status)
      }
    }
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    })
  })
}

/** Each peer is drawn in its group's colour, the legend names each group once with that colour, and groups differ. */
async function expectPeersColouredByGroup(page: Page): Promise<void> {
  const legend = page.getByTestId('group-legend-item')
  await expect
    .poll(async () => (await legend.evaluateAll((items) => items.map((i) => i.getAttribute('data-group')))).sort(), {
      timeout: UI_TIMEOUT_MS,
    })
    .toEqual(['lab:127.0.2', 'lab:127.0.3'])
  const drawn = await page.evaluate(() => {
    const fill = (el: Element | null) => (el ? getComputedStyle(el).fill : '')
    const background = (el: Element | null) => (el ? getComputedStyle(el).backgroundColor : '')
    const swatches = new Map(
      [...document.querySelectorAll('[data-testid="group-legend-item"]')].map((item) => [
        item.getAttribute('data-group'),
        background(item.querySelector('.swatch')),
      ]),
    )
    return [...document.querySelectorAll('[data-testid="peer-node"]')].map((node) => ({
      group: node.getAttribute('data-group'),
      fill: fill(node.querySelector('circle')),
      swatch: swatches.get(node.getAttribute('data-group')),
    }))
  })
  expect(drawn.map((d) => d.group).sort()).toEqual(['lab:127.0.2', 'lab:127.0.3'])
  for (const peer of drawn) {
    expect(peer.fill, peer.group ?? '').toMatch(/^rgb\(/)
    expect(peer.fill, peer.group ?? '').toBe(peer.swatch)
  }
  expect(new Set(drawn.map((d) => d.fill)).size).toBe(2)
}

const headHeight = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('head-height').getAttribute('data-height'))

describe('the dashboard in headless Chromium', () => {
  let net: TestNet | undefined
  let browser: Browser | undefined
  let node0: TestNode
  const pageErrors: string[] = []

  beforeAll(async () => {
    await buildDashboard()
    // A few blocks a second on one thread: the head visibly grows and a tx waits a moment in the mempool.
    net = await TestNet.create(fastGenesis({ initialTarget: 1n << 240n }))
    // Lab mode, as `peerchain devnet --lab`: node i on 127.0.<i+1>.1, alone in group lab:127.0.<i+1>.
    node0 = await net.start('n0', { mine: true, extra: DEV_ACCOUNTS, host: labHost(0), lab: true })
    await net.start('n1', { bootstrap: [node0.addr], host: labHost(1), lab: true })
    await net.start('n2', { bootstrap: [node0.addr], host: labHost(2), lab: true })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await net?.close()
  })

  it('shows 2 peers and a growing head, sends a tx through the form and follows it from pending to its block', async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1000 } })
    page.on('pageerror', (err) => pageErrors.push(err.message))
    try {
      // As `start` prints it to the operator's terminal: the API token (the node's cookie) in the fragment,
      // which the page sends with its calls; wallet_send needs it on loopback too.
      await page.goto(`${node0.rpc}dashboard/#token=${await cookieOf(node0.rpc)}`)

      // Live over the node's WebSocket, with both of node 0's peers.
      await expect.poll(() => page.getByTestId('socket-state').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('live')
      await expect.poll(() => page.getByTestId('peer-count').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('2')
      await expect.poll(() => page.getByTestId('peer-node').count(), { timeout: UI_TIMEOUT_MS }).toBe(2)
      await expectPeersColouredByGroup(page)

      // The head grows on screen without a reload.
      await expect.poll(() => headHeight(page), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0)
      const firstHeight = await headHeight(page)
      await expect.poll(() => headHeight(page), { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(firstHeight)

      // Send from the devnet key the node holds unlocked.
      const before = await rpc<{ balance: string }>(node0.rpc, 'chain_getAccount', { address: RECIPIENT })
      expect(before.balance).toBe('0')
      await expect
        .poll(() => page.getByTestId('send-from').locator('option').allTextContents(), { timeout: UI_TIMEOUT_MS })
        .toContainEqual(expect.stringContaining(SENDER))
      await page.getByTestId('send-from').selectOption(SENDER)
      await page.getByTestId('send-to').fill(RECIPIENT)
      const outcome = page.getByTestId('send-outcome')

      // Refusals show in the form: the page's own check, then the node's, with its reason.
      await page.getByTestId('send-amount').fill('1.123456789')
      await page.getByTestId('send-submit').click()
      await expect.poll(() => outcome.textContent(), { timeout: UI_TIMEOUT_MS }).toContain('more than 8 decimals')
      await page.getByTestId('send-amount').fill('100000000000')
      await page.getByTestId('send-submit').click()
      await expect
        .poll(() => outcome.textContent(), { timeout: UI_TIMEOUT_MS })
        .toMatch(/^transaction rejected: .*balance/)
      expect(await page.getByTestId('sent-tx').count()).toBe(0)

      await page.getByTestId('send-amount').fill(AMOUNT_COINS)
      expect(await page.getByTestId('send-fee').inputValue()).toBe('1000')
      await recordSentStatuses(page)
      await page.getByTestId('send-submit').click()

      const row = page.getByTestId('sent-tx').first()
      await expect.poll(() => row.getAttribute('data-hash'), { timeout: UI_TIMEOUT_MS }).toMatch(/^[0-9a-f]{64}$/)
      const hash = (await row.getAttribute('data-hash')) as string
      await expect.poll(() => row.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('included')
      // Hold the chain still, so the tx's block stays among the recent ones while we look at it.
      await rpc(node0.rpc, 'miner_stop')
      const statuses = await page.evaluate(() => (window as unknown as { sentStatuses: string[] }).sentStatuses)
      expect(statuses).toEqual(['pending', 'included'])

      // The page says where the chain put it, and the chain agrees.
      const shown = await row.getByTestId('sent-status').textContent()
      const height = Number(/included in block #(\d+)/.exec(shown ?? '')?.[1])
      const lookup = await rpc<{ status: string; height: number; tx: { amount: string; to: string } }>(
        node0.rpc,
        'tx_get',
        { hash },
      )
      expect(lookup).toMatchObject({ status: 'included', height, tx: { amount: AMOUNT_BASE_UNITS, to: RECIPIENT } })
      const after = await rpc<{ balance: string }>(node0.rpc, 'chain_getAccount', { address: RECIPIENT })
      expect(after.balance).toBe(AMOUNT_BASE_UNITS)

      // Its block, expanded in the recent blocks, lists it.
      const block = page.locator(`[data-testid="block-row"][data-height="${height}"]`)
      await expect.poll(() => block.count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
      await block.getByRole('button').click()
      const listed = block.locator(`[data-testid="block-tx"][data-hash="${hash}"]`)
      await expect.poll(() => listed.textContent(), { timeout: UI_TIMEOUT_MS }).toContain(AMOUNT_COINS)
      expect(pageErrors).toEqual([])
    } finally {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      await page.close()
    }
  })
})
