import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BANS_FILE, BanList, type BansFile, createConnectionGater } from '../../../src/net/bans.js'
import { JsonFile } from '../../../src/net/json-file.js'
import { parsePeerId } from '../../../src/net/peer-ids.js'
import { manualClock, newPeerId, noLog } from './helpers.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function banFile(): Promise<{ path: string; file: JsonFile<BansFile> }> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-bans-'))
  dirs.push(dir)
  const path = join(dir, BANS_FILE)
  return { path, file: new JsonFile<BansFile>(path) }
}

describe('BanList', () => {
  it('persists permanent bans and loads them again; unban persists too', async () => {
    const { path, file } = await banFile()
    const [p1, p2] = [await newPeerId(), await newPeerId()]
    const bans = new BanList(file, manualClock().nowMs, noLog)
    await bans.ban(p1, 'spam')
    await bans.ban(p2, 'garbage')
    await bans.unban(p2)

    const reloaded = new BanList(new JsonFile<BansFile>(path), manualClock().nowMs, noLog)
    await reloaded.load()
    expect(reloaded.isBanned(p1)).toBe(true)
    expect(reloaded.isBanned(p2)).toBe(false)
    expect(reloaded.list().map(({ peer, reason }) => ({ peer, reason }))).toEqual([{ peer: p1, reason: 'spam' }])
  })

  it('keeps temporary bans in memory only, until they expire', async () => {
    const { path, file } = await banFile()
    const clock = manualClock()
    const p = await newPeerId()
    const bans = new BanList(file, clock.nowMs, noLog)
    await bans.ban(await newPeerId(), 'permanent') // writes the file
    bans.banFor(p, 'low score', 60_000)
    expect(bans.isBanned(p)).toBe(true)
    expect(JSON.parse(await readFile(path, 'utf8')).bans.map((b: { peer: string }) => b.peer)).not.toContain(p)
    clock.advance(60_000)
    expect(bans.isBanned(p)).toBe(false)
    expect(bans.list().map((b) => b.peer)).not.toContain(p)
  })

  it('never lets a temporary ban replace a permanent one', async () => {
    const clock = manualClock()
    const p = await newPeerId()
    const bans = new BanList(new JsonFile<BansFile>(undefined), clock.nowMs, noLog)
    await bans.ban(p, 'permanent')
    bans.banFor(p, 'low score', 1_000)
    clock.advance(10_000)
    expect(bans.isBanned(p)).toBe(true)
  })

  it('skips malformed entries of a hand-edited file', async () => {
    const { path, file } = await banFile()
    const p = await newPeerId()
    await writeFile(
      path,
      JSON.stringify({ version: 1, bans: [{ peer: 'nonsense' }, { peer: p, reason: 'x', sinceMs: 1 }, null] }),
    )
    const bans = new BanList(file, manualClock().nowMs, noLog)
    await bans.load()
    expect(bans.list().map((b) => b.peer)).toEqual([p])
  })
})

describe('connection gater', () => {
  it('denies a banned peer at every checkpoint and inbound connections beyond the cap', async () => {
    const banned = await newPeerId()
    const fine = await newPeerId()
    let inbound = 0
    const gater = createConnectionGater({ isBanned: (p) => p === banned, inboundCount: () => inbound, inboundMax: 2 })
    const bannedId = parsePeerId(banned)!
    const fineId = parsePeerId(fine)!

    for (const check of [
      gater.denyDialPeer,
      gater.denyInboundEncryptedConnection,
      gater.denyOutboundEncryptedConnection,
      gater.denyInboundUpgradedConnection,
      gater.denyOutboundUpgradedConnection,
    ]) {
      expect(check(bannedId)).toBe(true)
      expect(check(fineId)).toBe(false)
    }

    expect(gater.denyInboundConnection()).toBe(false)
    inbound = 2
    expect(gater.denyInboundConnection()).toBe(true)
  })
})
