import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonFileError } from '../../../src/net/json-file.js'
import { PeerFiles } from '../../../src/net/peer-files.js'
import { ADDRMAN_FILE, AddrManFileError } from '../../../src/peers/addrman-file.js'
import { ANCHORS_FILE } from '../../../src/peers/anchors.js'
import type { GroupPolicy } from '../../../src/peers/types.js'
import { seededRng } from '../../../src/util/rng.js'
import { fakePeerId, noLog } from './helpers.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-peer-files-'))
  dirs.push(dir)
  return dir
}

const policy: GroupPolicy = { lab: false, localCluster: false }
const deps = () => ({ policy, nowMs: () => 1_700_000_000_000, rng: seededRng(1) })
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

describe('peer files: addrman.json', () => {
  it('creates the bucket secret on first start and writes it at once; later starts keep it', async () => {
    const dir = await tempDir()
    const first = await new PeerFiles(dir, noLog).loadAddrMan(deps())
    const written = JSON.parse(await readFile(join(dir, ADDRMAN_FILE), 'utf8')) as { key: string }
    expect(written.key).toMatch(/^[0-9a-f]{64}$/)
    expect(first.toFile().key).toBe(written.key)
    const again = await new PeerFiles(dir, noLog).loadAddrMan(deps())
    expect(again.toFile().key).toBe(written.key)
    // another node's secret differs
    const other = await new PeerFiles(await tempDir(), noLog).loadAddrMan(deps())
    expect(other.toFile().key).not.toBe(written.key)
  })

  it('keeps new and tried addresses across a save and a load, in the same buckets', async () => {
    const dir = await tempDir()
    const files = new PeerFiles(dir, noLog)
    const addrman = await files.loadAddrMan(deps())
    const tried = { peer: fakePeerId(1), addr: '/ip4/20.1.0.1/tcp/9000' }
    const fresh = { peer: fakePeerId(2), addr: '/ip4/21.1.0.1/tcp/9000' }
    addrman.add([tried, fresh], 'dht', '30.1.0.1')
    addrman.good(tried)
    await files.saveAddrMan(addrman)
    const loaded = await new PeerFiles(dir, noLog).loadAddrMan(deps())
    expect(loaded.isTried(tried.addr)).toBe(true)
    expect(loaded.has(fresh.addr)).toBe(true)
    expect(loaded.isTried(fresh.addr)).toBe(false)
    expect(loaded.slotsOf(fresh.addr)).toEqual(addrman.slotsOf(fresh.addr))
    expect(loaded.stats()).toEqual(addrman.stats())
  })

  it('refuses to start on a file that is not JSON or not an address manager', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, ADDRMAN_FILE), '{"version":1,')
    await expect(new PeerFiles(dir, noLog).loadAddrMan(deps())).rejects.toThrow(JsonFileError)
    await writeFile(join(dir, ADDRMAN_FILE), '{"bans":[]}')
    await expect(new PeerFiles(dir, noLog).loadAddrMan(deps())).rejects.toThrow(AddrManFileError)
  })

  it('reads and writes nothing without a data directory', async () => {
    const files = new PeerFiles(undefined, noLog)
    const addrman = await files.loadAddrMan(deps())
    await files.saveAddrMan(addrman)
    await files.saveAnchors([{ peer: fakePeerId(3), addr: '/ip4/20.1.0.1/tcp/1' }])
    expect(await files.takeAnchors()).toEqual([])
  })
})

describe('peer files: anchors.json', () => {
  it('saves the block-relay peers at stop; the next start reads them once and deletes the file', async () => {
    const dir = await tempDir()
    const anchors = [
      { peer: fakePeerId(4), addr: '/ip4/22.1.0.1/tcp/9000' },
      { peer: fakePeerId(5), addr: '/ip4/23.1.0.1/tcp/9000/ws' },
    ]
    await new PeerFiles(dir, noLog).saveAnchors(anchors)
    const files = new PeerFiles(dir, noLog)
    expect(await files.takeAnchors()).toEqual(anchors)
    expect(await exists(join(dir, ANCHORS_FILE))).toBe(false)
    // a crash before the next clean stop leaves no stale anchors
    expect(await new PeerFiles(dir, noLog).takeAnchors()).toEqual([])
  })

  it('keeps at most 2, and ignores (and removes) an unreadable file instead of refusing to start', async () => {
    const dir = await tempDir()
    const three = [6, 7, 8].map((n) => ({ peer: fakePeerId(n), addr: `/ip4/24.1.0.${n}/tcp/9000` }))
    await new PeerFiles(dir, noLog).saveAnchors(three)
    expect(await new PeerFiles(dir, noLog).takeAnchors()).toEqual(three.slice(0, 2))
    const logged: string[] = []
    for (const text of ['not json', '{"version":2,"anchors":[]}']) {
      await writeFile(join(dir, ANCHORS_FILE), text)
      expect(await new PeerFiles(dir, (msg) => logged.push(msg)).takeAnchors()).toEqual([])
      expect(await exists(join(dir, ANCHORS_FILE))).toBe(false)
    }
    expect(logged).toHaveLength(2)
  })
})
