/**
 * The dashboard's Files card in Debian's Chromium (playwright-core) against
 * two real nodes: node 0 adds a file (`files_add`), node 1's page lists it
 * nowhere yet; a CID typed into node 1's card starts the download
 * (`files_get`), whose row the page shows running and then done with every
 * byte, and the shared list then holds the root as downloaded. The bytes node
 * 1 exports are node 0's (SHA-256). The screenshot is kept in
 * test-artifacts/dashboard-files.png.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileAddedJson, FileExportJson } from '../../src/files/json.js'
import { launchChromium } from '../helpers/chromium.js'
import { cookieOf, fastGenesis, isConnected, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-artifacts', 'dashboard-files.png')
const UI_TIMEOUT_MS = 30_000
const FILE_BYTES = 3 * 1024 * 1024 + 777

async function buildDashboard(): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', join(ROOT, 'dashboard', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT },
  )
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('the dashboard Files card', () => {
  let net: TestNet | undefined
  let browser: Browser | undefined
  let n0: TestNode
  let n1: TestNode

  beforeAll(async () => {
    await buildDashboard()
    net = await TestNet.create(fastGenesis())
    n0 = await net.start('n0')
    n1 = await net.start('n1', { bootstrap: [n0.addr] })
    browser = await launchChromium()
    await waitFor('n1 connected to n0', () => isConnected(n1, n0), 20_000)
  }, 120_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await net?.close()
  })

  it('lists shared files and shows a download from the card running, then done with every byte', async () => {
    const bytes = randomBytes(FILE_BYTES)
    const path = join((net as TestNet).dir, 'shared.bin')
    await writeFile(path, bytes)
    const added = await rpc<FileAddedJson>(n0.rpc, 'files_add', { path })

    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1600 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    try {
      // node 0's card lists the file it added
      await page.goto(`${n0.rpc}dashboard/`)
      const addedRow = page.locator(`[data-testid="files-root"][data-cid="${added.cid}"]`)
      await expect.poll(() => addedRow.count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
      expect(await addedRow.textContent()).toContain('shared.bin')

      // node 1's card, with the token (files_get starts a download: a guarded method)
      await page.goto(`${n1.rpc}dashboard/#token=${await cookieOf(n1.rpc)}`)
      await expect.poll(() => page.getByTestId('files-card').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)

      // a bad CID is refused in the page
      await page.getByTestId('files-get-input').fill('not a cid')
      await page.getByTestId('files-get-submit').click()
      await expect.poll(() => page.getByTestId('files-get-error').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)

      // every state the download row takes, in order, as the page renders it
      await page.evaluate(() => {
        const seen: string[] = []
        ;(window as unknown as { downloadStates: string[] }).downloadStates = seen
        new MutationObserver(() => {
          const state = document.querySelector('[data-testid="files-download"]')?.getAttribute('data-state')
          if (state && seen[seen.length - 1] !== state) seen.push(state)
        }).observe(document.body, { subtree: true, childList: true, attributes: true })
      })
      await page.getByTestId('files-get-input').fill(added.cid)
      await page.getByTestId('files-get-submit').click()
      const row = page.locator(`[data-testid="files-download"][data-cid="${added.cid}"]`)
      await expect.poll(() => row.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('done')
      // the file's size, and every block's bytes (the file's and its DAG node's)
      expect(Number(await row.getAttribute('data-bytes-total'))).toBe(FILE_BYTES)
      expect(Number(await row.getAttribute('data-bytes-done'))).toBeGreaterThanOrEqual(FILE_BYTES)
      const states = await page.evaluate(() => (window as unknown as { downloadStates: string[] }).downloadStates)
      expect(states).toEqual(['running', 'done'])

      // the shared list now holds the root, as downloaded
      const listed = page.locator(`[data-testid="files-root"][data-cid="${added.cid}"]`)
      await expect.poll(() => listed.count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
      expect(await listed.textContent()).toContain('downloaded')
      expect(pageErrors).toEqual([])
    } finally {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      await page.close()
    }

    const out = join((net as TestNet).dir, 'exported.bin')
    await rpc<FileExportJson>(n1.rpc, 'files_export', { cid: added.cid, path: out })
    expect(sha256Hex(await readFile(out))).toBe(sha256Hex(bytes))
  })
})
