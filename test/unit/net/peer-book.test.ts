import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonFile } from '../../../src/net/json-file.js'
import {
  ADDRS_PER_PEER_MAX,
  normalizeAddrs,
  PEER_BOOK_MAX,
  PEERS_FILE,
  PeerBook,
  type PeerBookFile,
} from '../../../src/net/peer-book.js'
import { manualClock, newPeerId, noLog } from './helpers.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function bookPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-peers-'))
  dirs.push(dir)
  return join(dir, PEERS_FILE)
}

describe('normalizeAddrs', () => {
  it('strips /p2p/<id>, keeps loopback and LAN addresses, drops relays and junk, dedupes and caps', async () => {
    const id = await newPeerId()
    expect(
      normalizeAddrs([
        `/ip4/127.0.0.1/tcp/4001/p2p/${id}`,
        '/ip4/127.0.0.1/tcp/4001',
        '/ip4/192.168.1.7/tcp/4002/ws',
        `/ip4/1.2.3.4/tcp/1/p2p/${id}/p2p-circuit`,
        '/ip4/1.2.3.4/udp/1/quic-v1',
        'not a multiaddr',
        42,
      ]),
    ).toEqual(['/ip4/127.0.0.1/tcp/4001', '/ip4/192.168.1.7/tcp/4002/ws'])
    const many = Array.from({ length: 20 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
    expect(normalizeAddrs(many)).toHaveLength(ADDRS_PER_PEER_MAX)
  })
})

describe('PeerBook', () => {
  it('persists what it learned on flush, atomically, and loads it back most recent first', async () => {
    const path = await bookPath()
    const clock = manualClock()
    const [p1, p2] = [await newPeerId(), await newPeerId()]
    const book = new PeerBook(new JsonFile<PeerBookFile>(path), clock.nowMs, noLog)
    book.remember(p1, ['/ip4/127.0.0.1/tcp/1'])
    clock.advance(1_000)
    book.remember(p2, ['/ip4/127.0.0.1/tcp/2'])
    clock.advance(1_000)
    book.remember(p1, ['/ip4/127.0.0.1/tcp/3'])
    await book.flush()

    const reloaded = new PeerBook(new JsonFile<PeerBookFile>(path), clock.nowMs, noLog)
    await reloaded.load()
    expect(reloaded.list().map((p) => p.id)).toEqual([p1, p2])
    expect(reloaded.get(p1)?.addrs).toEqual(['/ip4/127.0.0.1/tcp/3', '/ip4/127.0.0.1/tcp/1'])
    expect(JSON.parse(await readFile(path, 'utf8')).version).toBe(1)
  })

  it('forgets a peer, and keeps at most PEER_BOOK_MAX peers (least recently seen out first)', async () => {
    const clock = manualClock()
    const book = new PeerBook(new JsonFile<PeerBookFile>(undefined), clock.nowMs, noLog)
    const first = await newPeerId()
    book.remember(first, ['/ip4/127.0.0.1/tcp/1'])
    book.forget(first)
    expect(book.get(first)).toBeUndefined()
    book.remember(first, ['/ip4/127.0.0.1/tcp/1'])
    for (let i = 0; i < PEER_BOOK_MAX; i++) {
      clock.advance(1)
      book.remember(`fake-${i}`, ['/ip4/127.0.0.1/tcp/1'])
    }
    expect(book.size).toBe(PEER_BOOK_MAX)
    expect(book.get(first)).toBeUndefined()
    await book.flush()
  })

  it('skips malformed entries of a hand-edited file', async () => {
    const path = await bookPath()
    const good = await newPeerId()
    const doc = {
      version: 1,
      peers: [
        { id: 'nonsense', addrs: ['/ip4/127.0.0.1/tcp/1'] },
        { id: good, addrs: ['/ip4/127.0.0.1/tcp/1'], lastSeenMs: 5 },
        { id: await newPeerId(), addrs: [] },
        null,
      ],
    }
    await writeFile(path, JSON.stringify(doc))
    const book = new PeerBook(new JsonFile<PeerBookFile>(path), manualClock().nowMs, noLog)
    await book.load()
    expect(book.list().map((p) => p.id)).toEqual([good])
  })
})
