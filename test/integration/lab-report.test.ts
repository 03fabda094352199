/**
 * The lab report in a real browser: report.html, written from synthetic
 * gossipsub and floodsub runs, opened from disk in Debian's Chromium driven
 * by playwright-core. Every chart must have rendered (an SVG with marks),
 * the figure tables must be there, and the page must load without a console
 * error or any network request. The screenshot is kept in
 * test-artifacts/lab-report.png, whether the test passes or not.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeReport } from '../../src/lab/report/compute.js'
import { loadRuns } from '../../src/lab/report/load.js'
import { writeReport } from '../../src/lab/report/write.js'
import { launchChromium } from '../helpers/chromium.js'
import { richRun } from '../helpers/lab-run.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-artifacts', 'lab-report.png')
const CHARTS = [
  'propagation-tx',
  'propagation-block',
  'copies-gossipsub',
  'copies-floodsub',
  'bandwidth-gossipsub',
  'bandwidth-floodsub',
  'topology-gossipsub',
  'topology-floodsub',
]

describe('the lab report in headless Chromium', () => {
  let dir: string
  let browser: Browser | undefined

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-report-'))
    await richRun('gossipsub').write(dir)
    await richRun('floodsub').write(dir)
    await writeReport(dir, computeReport(await loadRuns(dir)))
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  })

  it('draws every chart and table from the files alone, with no error and no request', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8')
    expect(html).not.toMatch(/<script|<link|@import|url\(http/i)
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))
    expect(json.runs.map((r: { gossip: string }) => r.gossip)).toEqual(['gossipsub', 'floodsub'])

    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 900 } })
    const problems: string[] = []
    const requests: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`)
    })
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url())
    })
    const url = pathToFileURL(join(dir, 'report.html')).href
    try {
      await page.goto(url, { waitUntil: 'load' })
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('figure[data-chart]')].map((figure) => {
          const svg = figure.querySelector('svg')
          const box = svg?.getBoundingClientRect()
          return {
            name: figure.getAttribute('data-chart'),
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            lines: figure.querySelectorAll('.mark-line.role-mark path').length,
            bars: figure.querySelectorAll('.mark-rect.role-mark path').length,
            points: figure.querySelectorAll('.mark-symbol.role-mark path').length,
            rules: figure.querySelectorAll('.mark-rule.role-mark line').length,
            title: figure.querySelector('.role-title-text')?.textContent ?? '',
          }
        }),
      )
      expect(charts.map((c) => c.name)).toEqual(CHARTS)
      for (const c of charts) {
        expect(c.width, c.name ?? '').toBeGreaterThan(200)
        expect(c.height, c.name ?? '').toBeGreaterThan(150)
        expect(c.title, c.name ?? '').not.toBe('')
      }
      const named = (name: string) => charts.find((c) => c.name === name)!
      // One line per reach level and gossip; bars per copy count and message kind; a dot per node, a rule per connection.
      expect(named('propagation-tx').lines).toBe(6)
      expect(named('propagation-block').lines).toBe(6)
      expect(named('bandwidth-gossipsub').lines).toBe(4)
      expect(named('copies-floodsub').bars).toBeGreaterThanOrEqual(4)
      expect(named('topology-gossipsub').points).toBe(7)
      expect(named('topology-gossipsub').rules).toBeGreaterThanOrEqual(7)

      for (const table of ['runs', 'propagation-tx', 'propagation-block', 'bitcoin', 'comparison', 'copies', 'stale']) {
        expect(await page.locator(`table[data-testid="${table}"] tbody tr`).count(), table).toBeGreaterThan(0)
      }
      expect(await page.locator('table[data-testid="bitcoin"]').textContent()).toContain('4.06 s')
      expect(await page.locator('table[data-testid="convergence-gossipsub"]').textContent()).toContain('450 ms')
      expect(await page.locator('table[data-testid="attacker-cuts-gossipsub"]').textContent()).toContain('3.50 s')
      expect(problems).toEqual([])
      expect(requests).toEqual([])
    } finally {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      await page.close()
    }
  })
})
