/**
 * The authenticated API against a real node process on loopback:
 * - `wallet_send` without the API token is refused, while `peerchain wallet
 *   send` with no extra flag works (it reads <datadir>/rpc.cookie itself);
 * - a key unlocked for 1 s locks itself;
 * - 2,000 concurrent connections and 1,000-call batches from one address
 *   leave the node answering a well-behaved client from another;
 * - the cookie is 0600 while the node runs, gone after a clean stop, and a
 *   SIGKILL leaves nothing the next start cannot handle.
 */

import { readFile, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatAddress } from '../../src/ledger/address.js'
import { createKey, walletDir } from '../../src/wallet/keystore.js'
import { cli } from '../helpers/cli.js'
import { cookieOf, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

const RECIPIENT = formatAddress(new Uint8Array(20).fill(0x7c))
/** Tight, so the flood is quick: one address may hold a quarter of them (8). */
const MAX_CONNECTIONS = 32
const FLOOD_CONNECTIONS = 2_000

let net: TestNet
let node: TestNode

beforeAll(async () => {
  net = await TestNet.create()
  node = await net.start('n0', {
    extra: ['--dev-accounts', '0', '--rpc-max-connections', String(MAX_CONNECTIONS)],
  })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

/** A JSON-RPC call with no token at all, as any local process could make. */
async function anonymous(method: string, params?: unknown): Promise<{ error?: { code: number; message: string } }> {
  const res = await fetch(node.rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return (await res.json()) as { error?: { code: number; message: string } }
}

/** The CLI as the node's operator runs it: the node's URL and data directory from the environment, no extra flag. */
const operatorCli = (args: string[]) => cli(args, { PEERCHAIN_RPC: node.rpc, PEERCHAIN_DATADIR: node.dataDir })

describe('the API token on loopback', () => {
  it('refuses wallet_send, net_ban and miner_start without it, and the CLI sends with no extra flag', async () => {
    const cookie = join(node.dataDir, 'rpc.cookie')
    expect((await stat(cookie)).mode & 0o777).toBe(0o600)
    const send = await anonymous('wallet_send', { from: 'devnet-0', to: RECIPIENT, amount: '5' })
    expect(send.error?.code).toBe(-32005)
    expect(send.error?.message).toContain('wallet_send is a wallet method')
    expect(send.error?.message).toContain('<datadir>/rpc.cookie')
    expect((await anonymous('miner_start')).error?.code).toBe(-32005)
    expect((await anonymous('net_ban', { peerId: node.peerId })).error?.code).toBe(-32005)
    expect((await anonymous('chain_head')).error).toBeUndefined()
    expect((await anonymous('mempool_list', {})).error).toBeUndefined()

    const sent = await operatorCli([
      'wallet',
      'send',
      '--name',
      'devnet-0',
      '--to',
      RECIPIENT,
      '--amount',
      '5',
      '--json',
    ])
    expect(sent.code, sent.stderr).toBe(0)
    const { hash, status } = JSON.parse(sent.stdout) as { hash: string; status: string }
    expect(status).toMatch(/^(ready|pending|queued)$/)
    expect((await rpc<{ status: string }>(node.rpc, 'tx_get', { hash })).status).toBe('pending')
  })

  it('locks a key unlocked for 1 s by itself', async () => {
    await createKey(walletDir(node.dataDir), 'ops', 'ops passphrase', { scrypt: { N: 2 ** 10, r: 8, p: 1 } })
    const unlocked = await cli(['wallet', 'unlock', '--name', 'ops', '--timeout', '1', '--json'], {
      PEERCHAIN_RPC: node.rpc,
      PEERCHAIN_DATADIR: node.dataDir,
      PEERCHAIN_PASSPHRASE: 'ops passphrase',
    })
    expect(unlocked.code, unlocked.stderr).toBe(0)
    const at = Date.now()
    const isUnlocked = async (): Promise<boolean> =>
      (await rpc<Array<{ name: string; unlocked: boolean }>>(node.rpc, 'wallet_list')).some(
        (k) => k.name === 'ops' && k.unlocked,
      )
    expect(await isUnlocked()).toBe(true)
    await waitFor('the key to lock itself', async () => !(await isUnlocked()), 5_000)
    expect(Date.now() - at).toBeGreaterThan(500)
    const send = await operatorCli(['wallet', 'send', '--name', 'ops', '--to', RECIPIENT, '--amount', '1'])
    expect(send.code).toBe(1)
    expect(send.stderr).toContain('key "ops" is locked')
  })
})

/** One raw HTTP POST from `localAddress` over its own socket; resolves with the status, 0 when the socket was closed. */
function postFrom(body: string, localAddress: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      node.rpc,
      {
        method: 'POST',
        localAddress,
        agent: false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(0))
      },
    )
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end(body)
  })
}

describe('a flood of connections and batches', () => {
  it('leaves the node answering a well-behaved client while 2,000 connections and 1,000-call batches arrive', async () => {
    const batch1000 = JSON.stringify(
      Array.from({ length: 1000 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'chain_getBlock',
        params: { height: 0 },
      })),
    )
    const batch100 = JSON.stringify(
      Array.from({ length: 100 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'chain_getBlock',
        params: { height: 0 },
      })),
    )
    // Idle sockets that try to hold every slot, then requests that carry the big batches.
    const idle = Array.from({ length: FLOOD_CONNECTIONS / 2 }, () => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(node.rpc).port), localAddress: '127.0.0.2' })
      socket.on('error', () => undefined)
      return socket
    })
    const started = Date.now()
    const flood = Promise.all(
      // From two more addresses, so some batches get in and are answered (or refused by their size or rate).
      // Three addresses hold at most 3/4 of the slots: the last quarter is the well-behaved client's.
      Array.from({ length: FLOOD_CONNECTIONS / 2 }, (_, i) =>
        postFrom(i % 2 ? batch1000 : batch100, `127.0.0.${4 + (i % 2)}`),
      ),
    )
    // Meanwhile, another client asks its questions one after another.
    const latencies: number[] = []
    for (let i = 0; i < 20; i++) {
      const t = Date.now()
      const status = await postFrom(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'chain_head' }), '127.0.0.3')
      expect(status).toBe(200)
      latencies.push(Date.now() - t)
    }
    const statuses = await flood
    for (const s of idle) s.destroy()
    // Most of the flood was turned away at the door (closed sockets) or by the rate (429); some got in.
    const answered = statuses.filter((s) => s === 200).length
    const refused = statuses.filter((s) => s === 0 || s === 429).length
    expect(answered + refused).toBe(statuses.length)
    expect(refused).toBeGreaterThan(statuses.length / 2)
    expect(answered).toBeGreaterThan(0)
    latencies.sort((a, b) => a - b)
    console.log(
      JSON.stringify({
        rpcFlood: {
          connections: FLOOD_CONNECTIONS,
          answered,
          refused,
          wellBehavedMedianMs: latencies[10],
          wellBehavedMaxMs: latencies[19],
          floodMs: Date.now() - started,
        },
      }),
    )
    // Typically a few ms each; the worst one waits out the burst of socket setup on this 2-core machine.
    expect(latencies[10]).toBeLessThan(500)
    expect(latencies[19]).toBeLessThan(10_000)
    // And afterwards, everyone is served again.
    expect((await anonymous('chain_head')).error).toBeUndefined()
  }, 40_000)
})

describe('the cookie across stops', () => {
  it('is removed by a clean stop; after a SIGKILL the next start replaces the stale one', async () => {
    const first = await cookieOf(node.rpc)
    await net.stop(node)
    await expect(stat(join(node.dataDir, 'rpc.cookie'))).rejects.toMatchObject({ code: 'ENOENT' })
    const again = await net.start('n0')
    const second = (await readFile(join(again.dataDir, 'rpc.cookie'), 'utf8')).trim()
    expect(second).toMatch(/^[0-9a-f]{64}$/)
    expect(second).not.toBe(first)
    net.kill(again)
    await waitFor(
      'the killed node to exit',
      async () => again.process.exitCode !== null || again.process.signalCode !== null,
      10_000,
    )
    // The dead node's cookie is still there, stale.
    expect((await readFile(join(again.dataDir, 'rpc.cookie'), 'utf8')).trim()).toBe(second)
    const third = await net.start('n0')
    const fresh = await cookieOf(third.rpc)
    expect(fresh).not.toBe(second)
    await expect(rpc(third.rpc, 'miner_stop')).resolves.toBe(true)
  }, 40_000)
})
