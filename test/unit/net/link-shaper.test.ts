import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LinksFileError, parseLinks, readLinksFile } from '../../../src/net/link-file.js'
import { HostTable } from '../../../src/net/link-hosts.js'
import { LinkQueue, Uplink } from '../../../src/net/link-schedule.js'
import { LinkShaper } from '../../../src/net/link-shaper.js'
import { SHAPED_HIGH_WATER_BYTES, ShapedSender } from '../../../src/net/link-shaper-conn.js'
import { measureShaperError } from '../../../src/net/link-shaper-measure.js'
import { seededRng } from '../../../src/util/rng.js'
import { ManualTimers, noLog } from './helpers.js'

const LINKS = {
  self: '127.0.1.1',
  hosts: { '127.0.1.1': 'na', '127.0.2.0/24': 'eu', 'node-3.lab': 'ap' },
  regions: ['na', 'eu', 'ap'],
  latencyMs: [
    [1, 40, 110],
    [40, 1, 90],
    [110, 90, 1],
  ],
  jitterMs: 2,
  bandwidthMbit: { '127.0.1.1': 20 },
  defaultBandwidthMbit: 50,
  partition: null,
}

function errorOf(doc: unknown): LinksFileError {
  try {
    parseLinks(doc)
  } catch (err) {
    if (err instanceof LinksFileError) return err
    throw err
  }
  throw new Error('parsed')
}

describe('links file', () => {
  it('parses a full file', () => {
    const spec = parseLinks(LINKS)
    expect(spec.regions).toEqual(['na', 'eu', 'ap'])
    expect(spec.hosts.get('127.0.2.0/24')).toBe('eu')
    expect(spec.defaultBandwidthMbit).toBe(50)
    expect(spec.partition).toBeNull()
  })

  it('names the bad key', () => {
    expect(errorOf({ ...LINKS, extra: 1 }).key).toBe('extra')
    expect(errorOf({ ...LINKS, regions: [] }).key).toBe('regions')
    expect(errorOf({ ...LINKS, regions: ['na', 'na', 'ap'] }).key).toBe('regions[1]')
    expect(errorOf({ ...LINKS, latencyMs: [[0, 1, 2]] }).key).toBe('latencyMs')
    expect(
      errorOf({
        ...LINKS,
        latencyMs: [
          [0, 1, 2],
          [0, 1],
          [0, 1, 2],
        ],
      }).key,
    ).toBe('latencyMs[1]')
    expect(
      errorOf({
        ...LINKS,
        latencyMs: [
          [0, 1, 2],
          [0, -1, 2],
          [0, 1, 2],
        ],
      }).key,
    ).toBe('latencyMs[1][1]')
    expect(errorOf({ ...LINKS, hosts: { '127.0.1.1': 'mars' } }).key).toBe('hosts["127.0.1.1"]')
    expect(errorOf({ ...LINKS, hosts: { 'not a host!': 'na' } }).key).toBe('hosts["not a host!"]')
    expect(errorOf({ ...LINKS, self: '127.0.0.0/8' }).key).toBe('self')
    expect(errorOf({ ...LINKS, jitterMs: 'two' }).key).toBe('jitterMs')
    expect(errorOf({ ...LINKS, bandwidthMbit: { '127.0.1.1': 0 } }).key).toBe('bandwidthMbit["127.0.1.1"]')
    expect(errorOf({ ...LINKS, defaultBandwidthMbit: -5 }).key).toBe('defaultBandwidthMbit')
    expect(errorOf({ ...LINKS, partition: [['127.0.1.1'], ['127.0.1.1']] }).key).toBe('partition[1][0]')
    expect(errorOf({ ...LINKS, partition: [['x']] }).message).toMatch(/partition\[0\]\[0\]: expected an IP/)
    expect(errorOf([]).key).toBe('(file)')
  })

  const dir = mkdtemp(join(tmpdir(), 'links-'))
  afterAll(async () => rm(await dir, { recursive: true, force: true }))

  it('reads a file, and a file that is not JSON is a LinksFileError', async () => {
    const good = join(await dir, 'good.json')
    await writeFile(good, JSON.stringify(LINKS))
    expect((await readLinksFile(good)).self).toBe('127.0.1.1')
    const bad = join(await dir, 'bad.json')
    await writeFile(bad, '{ nope')
    await expect(readLinksFile(bad)).rejects.toThrow(LinksFileError)
    await expect(readLinksFile(join(await dir, 'missing.json'))).rejects.toThrow(/cannot read/)
  })
})

describe('host table', () => {
  it('matches exact IPs, then resolved names, then the longest subnet', async () => {
    const table = new HostTable(
      new Map([
        ['10.0.0.0/8', 'wide'],
        ['10.1.0.0/16', 'narrow'],
        ['10.1.2.3', 'exact'],
        ['pod-0.lab', 'named'],
      ]),
    )
    expect(table.get('10.9.9.9')).toBe('wide')
    expect(table.get('10.1.9.9')).toBe('narrow')
    expect(table.get('10.1.2.3')).toBe('exact')
    expect(table.get('192.168.0.1')).toBeUndefined()
    let pod = ['10.1.7.7']
    await table.refresh(async () => pod)
    expect(table.get('10.1.7.7')).toBe('named')
    // the pod moved: re-resolution follows it
    pod = ['10.1.8.8']
    await table.refresh(async () => pod)
    expect(table.get('10.1.8.8')).toBe('named')
    expect(table.get('10.1.7.7')).toBe('narrow')
    // a failed lookup keeps the last addresses
    expect(await table.refresh(async () => Promise.reject(new Error('NXDOMAIN')))).toEqual(['pod-0.lab'])
    expect(table.get('10.1.8.8')).toBe('named')
  })
})

describe('link shaper', () => {
  const deps = { nowMs: () => 0, timers: new ManualTimers(), rng: seededRng(1), log: noLog }

  it('links by region: self to a host in a subnet, a named host once resolved, none to an unplaced host', async () => {
    const shaper = new LinkShaper(parseLinks(LINKS), { ...deps, resolve: async () => ['127.0.3.1'] })
    expect(shaper.linkTo('127.0.2.9')).toEqual({ latencyMs: 40, jitterMs: 2 })
    expect(shaper.linkTo('127.0.3.1')).toBeUndefined()
    await shaper.refreshNames()
    expect(shaper.linkTo('127.0.3.1')).toEqual({ latencyMs: 110, jitterMs: 2 })
    expect(shaper.linkTo('127.0.9.9')).toBeUndefined()
    // self's own bandwidth entry, not the default
    expect(shaper.uplink.bandwidthMbit).toBe(20)
  })

  it('partitions by group: different listed groups are cut, unlisted IPs reach everyone, null heals', () => {
    const shaper = new LinkShaper(parseLinks(LINKS), deps)
    expect(shaper.isPartitioned('127.0.2.1')).toBe(false)
    shaper.setPartition([['127.0.1.1', '127.0.1.2'], ['127.0.2.1']])
    expect(shaper.isPartitioned('127.0.2.1')).toBe(true)
    expect(shaper.isPartitioned('::ffff:127.0.2.1')).toBe(true)
    expect(shaper.isPartitioned('127.0.1.2')).toBe(false)
    expect(shaper.isPartitioned('127.0.5.5')).toBe(false)
    shaper.setPartition([['127.0.2.1'], ['127.0.3.1']])
    // self unlisted: reaches everyone
    expect(shaper.isPartitioned('127.0.2.1')).toBe(false)
    shaper.setPartition(null)
    expect(shaper.partition).toBeNull()
    expect(() => shaper.setPartition([['nope']])).toThrow(LinksFileError)
  })
})

describe('shaped sender', () => {
  function setup(bandwidthMbit?: number) {
    const timers = new ManualTimers()
    let now = 0
    const delivered: Array<[string, number]> = []
    let drains = 0
    const sender = new ShapedSender<string>({
      queue: new LinkQueue(new Uplink(bandwidthMbit), { latencyMs: 100, jitterMs: 10 }, seededRng(3), 64 << 20),
      deliver: (chunk) => delivered.push([chunk, now]),
      nowMs: () => now,
      timers,
      onDrain: () => drains++,
    })
    const advance = (ms: number): void => {
      // the manual timers and the clock move together
      const end = now + ms
      while (now < end) {
        now += 1
        timers.advance(1)
      }
    }
    return { sender, delivered, advance, drains: () => drains, timers }
  }

  it('delivers in order, each no earlier than the latency after its send', () => {
    const { sender, delivered, advance } = setup()
    const sentAt: number[] = []
    for (let i = 0; i < 50; i++) {
      sentAt.push(i * 3)
      sender.send(`c${i}`, 100)
      advance(3)
    }
    advance(200)
    expect(delivered.map(([c]) => c)).toEqual(sentAt.map((_, i) => `c${i}`))
    delivered.forEach(([, at], i) => {
      expect(at).toBeGreaterThanOrEqual((sentAt[i] as number) + 100)
      expect(at).toBeLessThanOrEqual((sentAt[i] as number) + 100 + 10 + 3 * 50)
    })
  })

  it('asks for a drain above the high-water mark and signals it once the queue empties', async () => {
    const { sender, advance, drains } = setup()
    expect(sender.send('big', SHAPED_HIGH_WATER_BYTES - 1)).toBe(true)
    expect(sender.send('more', 10)).toBe(false)
    const idle = sender.idle()
    advance(120)
    expect(drains()).toBe(1)
    await idle
    expect(sender.queuedBytes).toBe(0)
  })

  it('drop clears the queue and the timer', () => {
    const { sender, delivered, advance, timers } = setup()
    sender.send('a', 10)
    sender.drop()
    expect(timers.pending).toBe(0)
    advance(500)
    expect(delivered).toEqual([])
  })
})

describe('measured shaper error', () => {
  it('times real loopback chunks against the intended delay', async () => {
    const error = await measureShaperError({ latencyMs: 20, samples: 40, intervalMs: 2 })
    expect(error.samples).toBe(40)
    expect(error.p50).toBeGreaterThanOrEqual(0)
    expect(error.p99).toBeGreaterThanOrEqual(error.p50)
    expect(error.max).toBeGreaterThanOrEqual(error.p99)
    // a loopback socket and a millisecond timer: well under 50 ms even on a busy machine
    expect(error.p50).toBeLessThan(50)
  })
})
