/**
 * The start-up file steps of a node, in a process of their own (the start-up
 * crash test kills it at each step): node key, bans, known peers (the address
 * manager, addrman.json, and the anchors it reads and deletes), RPC cookie,
 * written by the very modules a node uses (from dist/). Usage:
 *   node --import ./kill-at-write.mjs startup-files.mjs <dataDir> <peerId to ban> <peerId to remember>
 * Reading every file first, it prints `ok <peerId> <bans> <knownPeers>` once all are written:
 * a file a previous run left that cannot be read makes it fail (exit 1) instead.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

const dist = new URL('../../dist/', import.meta.url)
const { loadOrCreateNodeKey } = await import(new URL('net/identity.js', dist).href)
const { BanList, BANS_FILE } = await import(new URL('net/bans.js', dist).href)
const { JsonFile } = await import(new URL('net/json-file.js', dist).href)
const { PeerFiles } = await import(new URL('net/peer-files.js', dist).href)
const { writeRpcCookie, rpcCookiePath } = await import(new URL('node/rpc-cookie.js', dist).href)
const { readFile } = await import('node:fs/promises')

const [dataDir, banPeer, knownPeer] = process.argv.slice(2)
const log = () => {}
try {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = await loadOrCreateNodeKey(dataDir, log)
  const bans = new BanList(new JsonFile(join(dataDir, BANS_FILE)), Date.now, log)
  await bans.load()
  const files = new PeerFiles(dataDir, log)
  const policy = { lab: false, localCluster: false }
  const rng = { next: Math.random, int: (n) => Math.floor(Math.random() * n) }
  const addrman = await files.loadAddrMan({ policy, nowMs: Date.now, rng })
  await files.takeAnchors()
  // a cookie a killed run left must be readable too (its token is stale but whole)
  const stale = await readFile(rpcCookiePath(dataDir), 'utf8').catch((err) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  )
  if (stale !== undefined && !/^[0-9a-f]{64}\n$/.test(stale))
    throw new Error(`torn rpc.cookie: ${JSON.stringify(stale)}`)
  await bans.ban(banPeer, 'crash test')
  await bans.ban('10.7.0.0/16', 'crash test')
  addrman.add([{ peer: knownPeer, addr: '/ip4/10.0.0.1/tcp/4001' }], 'operator', '10.0.0.1')
  await files.saveAddrMan(addrman)
  await writeRpcCookie(dataDir)
  const { new: fresh, tried } = addrman.stats()
  process.stdout.write(`ok ${key.publicKey.toString()} ${bans.size} ${fresh + tried}\n`)
} catch (err) {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.exit(1)
}
