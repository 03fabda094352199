import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MultiaddrConnection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { BanTargetError, parseBanTarget } from '../../../src/net/ban-target.js'
import {
  BAN_REASON_CHARS_MAX,
  BANS_FILE,
  BANS_MAX,
  BanLimitError,
  BanList,
  type BansFile,
  createConnectionGater,
} from '../../../src/net/bans.js'
import { JsonFile, JsonFileError } from '../../../src/net/json-file.js'
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

/** A raw connection that can be closed: it calls its 'close' listeners. */
const conn = (addr: string): MultiaddrConnection & { close(): void } => {
  const listeners: Array<() => void> = []
  return {
    remoteAddr: multiaddr(addr),
    addEventListener: (type: string, fn: () => void) => {
      if (type === 'close') listeners.push(fn)
    },
    close: () => {
      for (const fn of listeners.splice(0)) fn()
    },
  } as unknown as MultiaddrConnection & { close(): void }
}

describe('ban targets', () => {
  it('parses peer ids and IPv4/IPv6 subnets, normalizing a bare address to a host subnet', async () => {
    const p = await newPeerId()
    expect(parseBanTarget(p)).toEqual({ kind: 'peer', peer: p })
    expect(parseBanTarget('10.1.0.0/16')).toMatchObject({ kind: 'subnet', family: 'ipv4', prefix: 16 })
    expect(parseBanTarget('192.0.2.7')).toMatchObject({ kind: 'subnet', text: '192.0.2.7/32' })
    expect(parseBanTarget('2001:db8::/32')).toMatchObject({ kind: 'subnet', family: 'ipv6', prefix: 32 })
    for (const bad of ['', 'nonsense', '10.1.0.0/33', '2001:db8::/129', '10.1.0.0/-1', '10.1.0/8', 'x'.repeat(200)]) {
      expect(() => parseBanTarget(bad), bad).toThrow(BanTargetError)
    }
  })
})

describe('BanList', () => {
  it('persists peer and subnet bans atomically and loads them again; unban persists too', async () => {
    const { path, file } = await banFile()
    const [p1, p2] = [await newPeerId(), await newPeerId()]
    const bans = new BanList(file, manualClock().nowMs, noLog)
    await bans.ban(p1, 'spam')
    await bans.ban(p2, 'garbage')
    await bans.ban('10.1.0.0/16', 'a whole subnet')
    await bans.ban('2001:db8::/32', 'v6 too')
    await bans.unban(p2)

    const reloaded = new BanList(new JsonFile<BansFile>(path), manualClock().nowMs, noLog)
    await reloaded.load()
    expect(reloaded.isBanned(p1)).toBe(true)
    expect(reloaded.isBanned(p2)).toBe(false)
    expect(reloaded.isAddressBanned('10.1.200.3', 'ipv4')).toBe(true)
    expect(reloaded.isAddressBanned('10.2.0.1', 'ipv4')).toBe(false)
    expect(reloaded.isAddressBanned('2001:db8:1::5', 'ipv6')).toBe(true)
    expect(reloaded.list().map(({ target, reason }) => ({ target, reason }))).toEqual([
      { target: p1, reason: 'spam' },
      { target: '10.1.0.0/16', reason: 'a whole subnet' },
      { target: '2001:db8::/32', reason: 'v6 too' },
    ])
    await reloaded.unban('10.1.0.0/16')
    expect(reloaded.isAddressBanned('10.1.200.3', 'ipv4')).toBe(false)
    expect(reloaded.isAddressBanned('2001:db8:1::5', 'ipv6')).toBe(true)
    // no temp file is left beside it
    expect(JSON.parse(await readFile(path, 'utf8')).bans.length).toBe(2)
  })

  it(`holds at most BANS_MAX (${BANS_MAX}) bans and refuses one more with a BanLimitError`, async () => {
    const bans = new BanList(new JsonFile<BansFile>(undefined), manualClock().nowMs, noLog)
    for (let i = 0; i < BANS_MAX; i++) await bans.ban(`10.${i >> 8}.${i & 255}.0/24`, 'x')
    await expect(bans.ban('192.0.2.0/24', 'one too many')).rejects.toThrow(BanLimitError)
    // banning what is already banned is no new entry
    await bans.ban('10.0.0.0/24', 'again')
    expect(bans.size).toBe(BANS_MAX)
  })

  it('cuts a long reason and refuses a target that is no peer id or subnet', async () => {
    const bans = new BanList(new JsonFile<BansFile>(undefined), manualClock().nowMs, noLog)
    await bans.ban('10.0.0.1', 'r'.repeat(1_000))
    expect(bans.list()[0]?.reason.length).toBe(BAN_REASON_CHARS_MAX)
    await expect(bans.ban('not-a-target', 'x')).rejects.toThrow(BanTargetError)
  })

  it('skips malformed entries of a hand-edited file, and refuses a file that is not a ban list', async () => {
    const { path, file } = await banFile()
    const p = await newPeerId()
    await writeFile(
      path,
      JSON.stringify({ version: 1, bans: [{ peer: 'nonsense' }, { peer: p, reason: 'x', sinceMs: 1 }, null, 7] }),
    )
    const bans = new BanList(file, manualClock().nowMs, noLog)
    await bans.load()
    expect(bans.list().map((b) => b.target)).toEqual([p])
    for (const text of ['{"version":1}', '[]', 'null', '{not json']) {
      await writeFile(path, text)
      await expect(new BanList(file, manualClock().nowMs, noLog).load(), text).rejects.toThrow(JsonFileError)
    }
  })
})

describe('connection gater', () => {
  it('denies a refused peer at every checkpoint, a refused address before any handshake, and inbound the caps refuse', async () => {
    const banned = await newPeerId()
    const fine = await newPeerId()
    let inboundFull = false
    const asked: string[] = []
    let released = 0
    const gater = createConnectionGater({
      isRefused: (p) => p === banned,
      isAddressRefused: (address) => address === '10.9.9.9',
      admitInbound: (ip) => {
        asked.push(ip)
        return inboundFull ? undefined : { release: () => released++ }
      },
    })
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
    expect(gater.denyInboundEncryptedConnection(fineId, conn('/ip4/10.9.9.9/tcp/1'))).toBe(true)
    expect(gater.denyDialMultiaddr(multiaddr(`/ip4/10.9.9.9/tcp/1/p2p/${fine}`))).toBe(true)
    expect(gater.denyDialMultiaddr(multiaddr(`/ip4/10.0.0.1/tcp/1/p2p/${banned}`))).toBe(true)
    expect(gater.denyDialMultiaddr(multiaddr(`/ip4/10.0.0.1/tcp/1/p2p/${fine}`))).toBe(false)

    expect(gater.denyInboundConnection(conn('/ip4/10.9.9.9/tcp/1'))).toBe(true)
    const admitted = conn('/ip4/10.0.0.1/tcp/1')
    expect(gater.denyInboundConnection(admitted)).toBe(false)
    // its slot is held until the raw connection closes
    expect(released).toBe(0)
    admitted.close()
    expect(released).toBe(1)
    inboundFull = true
    expect(gater.denyInboundConnection(conn('/ip4/10.0.0.1/tcp/1'))).toBe(true)
    // the inbound caps are asked with the remote IP, and never for an address already refused
    expect(asked).toEqual(['10.0.0.1', '10.0.0.1'])
  })
})
