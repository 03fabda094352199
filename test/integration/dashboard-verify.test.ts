/**
 * Verification in the page, in Debian's Chromium (playwright-core) against a
 * real mining node: the dashboard's Verify card fetches an account's proof
 * (`light_accountProof`) and a tx's (`light_txProof`), checks them in the page
 * with the bundled src/light/verify-browser.ts against a header the page read
 * itself (`chain_head`, `chain_getBlock`), and shows "verified ✓ at height H"
 * with that block's hash, which must be the node's main-chain block at H. Fed
 * a bad proof (the RPC answer intercepted with playwright's route: a byte of a
 * trie node flipped, a richer account claimed, a Merkle path flipped, another
 * block's header), the page shows the failure and its code. The screenshot is
 * kept in test-artifacts/dashboard-verify.png, the first failure's in
 * dashboard-verify-failure.png.
 */
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountProofJson, BlockJson, TxLookupJson, TxProofJson } from '../../src/api/json.js'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { accountToBytes } from '../../src/ledger/state.js'
import { toHex } from '../../src/util/bytes.js'
import { launchChromium } from '../helpers/chromium.js'
import { cookieOf, fastGenesis, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-artifacts', 'dashboard-verify.png')
const FAILURE_SCREENSHOT = join(ROOT, 'test-artifacts', 'dashboard-verify-failure.png')
const UI_TIMEOUT_MS = 30_000
/** Genesis-funded devnet account 0, which the node holds as wallet key `devnet-0`. */
const FUNDED = formatAddress(addressFromPublicKey(devnetKey(0).publicKey))
const RECIPIENT = formatAddress(new Uint8Array(20).fill(0x5b))

async function buildDashboard(): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', join(ROOT, 'dashboard', 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT },
  )
}

const flipHex = (hex: string, byte: number): string => {
  const at = (byte % (hex.length / 2)) * 2
  const flipped = (Number.parseInt(hex.slice(at, at + 2), 16) ^ 0x01).toString(16).padStart(2, '0')
  return hex.slice(0, at) + flipped + hex.slice(at + 2)
}

/** Rewrites the node's answer to `method` calls from the page with `tamper`; every other call passes untouched. */
async function tamperWith<T>(page: Page, method: string, tamper: (result: T) => T): Promise<() => Promise<void>> {
  const handler = async (route: Route) => {
    const request = route.request()
    const body = request.method() === 'POST' ? (request.postDataJSON() as { method?: string } | null) : null
    if (body?.method !== method) return route.continue()
    const response = await route.fetch()
    const answer = (await response.json()) as { result?: T }
    if (answer.result) answer.result = tamper(answer.result)
    // A body of our own, without the original's headers (its content-length no longer holds).
    return route.fulfill({ status: response.status(), contentType: 'application/json', body: JSON.stringify(answer) })
  }
  const matches = (url: URL) => url.pathname === '/'
  await page.route(matches, handler)
  return () => page.unroute(matches, handler)
}

describe('the dashboard verifies proofs in the page', () => {
  let net: TestNet | undefined
  let browser: Browser | undefined
  let node: TestNode
  let txHash: string

  beforeAll(async () => {
    await buildDashboard()
    net = await TestNet.create(fastGenesis({ initialTarget: 1n << 240n }))
    node = await net.start('n0', { mine: true, extra: ['--dev-accounts', '0'] })
    browser = await launchChromium()
    // A transfer from the funded account, mined: the tx to prove.
    await waitFor('height 2', async () => (await rpc<{ height: number }>(node.rpc, 'chain_head')).height >= 2, 60_000)
    const sent = await rpc<{ hash: string }>(node.rpc, 'wallet_send', {
      from: 'devnet-0',
      to: RECIPIENT,
      amount: '12345',
    })
    txHash = sent.hash
    await waitFor(
      'the transfer included',
      async () => (await rpc<TxLookupJson>(node.rpc, 'tx_get', { hash: txHash })).status === 'included',
      60_000,
    )
  }, 120_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await net?.close()
  })

  /** Starts a check with `start` (by default: `target` typed and Verify clicked) and reads the result of that check. */
  async function verifyIn(page: Page, target: string, start?: () => Promise<void>) {
    const runs = Number(await page.getByTestId('verify-form').getAttribute('data-runs'))
    if (start) await start()
    else {
      await page.getByTestId('verify-input').fill(target)
      await page.getByTestId('verify-submit').click()
    }
    const result = page.locator(`[data-testid="verify-result"][data-run="${runs + 1}"]`)
    await expect.poll(() => result.count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
    return {
      state: await result.getAttribute('data-state'),
      code: await result.getAttribute('data-code'),
      height: Number(await result.getAttribute('data-height')),
      hash: await result.getAttribute('data-hash'),
      text: (await result.textContent()) ?? '',
    }
  }

  /** The hash of the node's main-chain block at `height`. */
  const mainHash = async (height: number) => (await rpc<BlockJson>(node.rpc, 'chain_getBlock', { height })).hash

  it('shows the verified mark for a funded account and a mined tx, with the header checked against', async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1400 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    try {
      // With the token, as `peerchain start` prints the URL: the page lists the node's keys to click.
      await page.goto(`${node.rpc}dashboard/#token=${await cookieOf(node.rpc)}`)
      await expect.poll(() => page.getByTestId('verify-card').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)

      const account = await verifyIn(page, FUNDED)
      expect(account.state, account.text).toBe('verified')
      expect(account.text).toContain(`verified ✓ at height ${account.height}`)
      expect(account.text).toMatch(/balance [\d,.]+ .*nonce 1/)
      expect(account.text).toContain('chain_head')
      expect(account.hash).toBe(await mainHash(account.height))

      // The same by clicking the node's key.
      const clicked = await verifyIn(page, FUNDED, () =>
        page.getByTestId('verify-key').filter({ hasText: 'devnet-0' }).click(),
      )
      expect(clicked.state, clicked.text).toBe('verified')

      const tx = await verifyIn(page, txHash)
      expect(tx.state, tx.text).toBe('verified')
      const lookup = await rpc<TxLookupJson & { height: number; blockHash: string }>(node.rpc, 'tx_get', {
        hash: txHash,
      })
      expect(tx.height).toBe(lookup.height)
      expect(tx.hash).toBe(lookup.blockHash)
      expect(tx.text).toContain('chain_getBlock')
      expect(pageErrors).toEqual([])
    } finally {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      await page.close()
    }
  })

  it('shows the failure and its code when fed a bad proof', async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 1400 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    try {
      await mkdir(join(ROOT, 'test-artifacts'), { recursive: true })
      // No token: proofs and heads are reads, open on loopback.
      await page.goto(`${node.rpc}dashboard/`)
      await expect.poll(() => page.getByTestId('verify-card').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)

      // A byte of the last trie node (the leaf holding the account) flipped: not the node its parent names.
      let undo = await tamperWith<AccountProofJson>(page, 'light_accountProof', (r) => ({
        ...r,
        proof: r.proof.map((n, i) => (i === r.proof.length - 1 ? flipHex(n, 40) : n)),
      }))
      let got = await verifyIn(page, FUNDED)
      expect(got.state).toBe('failed')
      expect(got.code).toMatch(/^PROOF_BAD_(HASH|ROOT)$/)
      expect(got.text).toContain('✗ not verified')
      await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true })
      await undo()

      // The proof honest, the account claimed beside it richer.
      undo = await tamperWith<AccountProofJson>(page, 'light_accountProof', (r) => ({
        ...r,
        account: toHex(accountToBytes({ balance: 10n ** 17n, nonce: 1n })),
      }))
      got = await verifyIn(page, FUNDED)
      expect([got.state, got.code]).toEqual(['failed', 'PROOF_ACCOUNT_MISMATCH'])
      await undo()

      // An honest proof at another block than the head the page read.
      const genesisProof = await rpc<AccountProofJson>(node.rpc, 'light_accountProof', { address: FUNDED, height: 1 })
      undo = await tamperWith<AccountProofJson>(page, 'light_accountProof', () => genesisProof)
      got = await verifyIn(page, FUNDED)
      expect([got.state, got.code]).toEqual(['failed', 'PROOF_WRONG_HEADER'])
      await undo()

      // A tx's Merkle path flipped (or, for a block of one tx, claimed at another index).
      undo = await tamperWith<TxProofJson>(page, 'light_txProof', (r) =>
        r.path.length > 0 ? { ...r, path: r.path.map((h) => flipHex(h, 3)) } : { ...r, txCount: r.txCount + 1 },
      )
      got = await verifyIn(page, txHash)
      expect([got.state, got.code]).toEqual(['failed', 'TX_NOT_IN_BLOCK'])
      await undo()

      // Untouched again: verified.
      got = await verifyIn(page, FUNDED)
      expect(got.state).toBe('verified')
      expect(pageErrors).toEqual([])
    } finally {
      await page.close()
    }
  })
})
