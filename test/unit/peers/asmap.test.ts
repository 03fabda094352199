import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ASMAP_LINES_MAX, AsMap, AsMapError, loadAsMap } from '../../../src/peers/asmap.js'
import { netGroup } from '../../../src/peers/net-group.js'

const MAP = `
# a small map
1.0.0.0/8     100
1.2.0.0/16    AS13335   # longer prefix inside the /8
1.2.3.0/24    as200
1.2.3.128/25  300
8.8.8.8/32    15169
0.0.0.0/0     1         # the default route
2001:db8::/32 AS64500
2a01:4f8::/29 24940
2a01:4f8:c00::/40 24941
::ffff:9.9.0.0/112 9999
`

/** The AS number `parse` gives, or the AsMapError it throws. */
function parseError(text: string): AsMapError {
  try {
    AsMap.parse(text, 'test.map')
  } catch (err) {
    if (err instanceof AsMapError) return err
    throw err
  }
  throw new Error('parsed')
}

describe('AsMap', () => {
  const map = AsMap.parse(MAP, 'test.map')

  it('counts its prefixes', () => {
    expect(map.size).toBe(10)
  })

  it('answers the longest matching IPv4 prefix', () => {
    expect(map.lookup('1.9.9.9')).toBe(100)
    expect(map.lookup('1.2.9.9')).toBe(13335)
    expect(map.lookup('1.2.3.4')).toBe(200)
    expect(map.lookup('1.2.3.127')).toBe(200)
    expect(map.lookup('1.2.3.128')).toBe(300)
    expect(map.lookup('1.2.3.255')).toBe(300)
    expect(map.lookup('8.8.8.8')).toBe(15169)
    expect(map.lookup('8.8.8.9')).toBe(1)
    expect(map.lookup('9.9.1.1')).toBe(9999)
    expect(map.lookup('::ffff:1.2.3.200')).toBe(300)
  })

  it('answers the longest matching IPv6 prefix, nibble-unaligned lengths included', () => {
    expect(map.lookup('2001:db8::1')).toBe(64500)
    expect(map.lookup('2001:db9::1')).toBeUndefined()
    expect(map.lookup('2a01:4f8::1')).toBe(24940)
    expect(map.lookup('2a01:4ff:ffff::1')).toBe(24940) // inside /29
    expect(map.lookup('2a01:500::1')).toBeUndefined() // just outside /29 (4f8..4ff)
    expect(map.lookup('2a01:4f8:c00::1')).toBe(24941)
    expect(map.lookup('2a01:4f8:cff:ffff::1')).toBe(24941)
    expect(map.lookup('2a01:4f8:d00::1')).toBe(24940)
  })

  it('answers undefined for what is not an IP, and for an empty map', () => {
    expect(map.lookup('not-an-ip')).toBeUndefined()
    const empty = AsMap.parse('# nothing\n\n', 'empty.map')
    expect(empty.size).toBe(0)
    expect(empty.lookup('1.2.3.4')).toBeUndefined()
  })

  it('groups addresses of one AS together through netGroup', () => {
    const policy = { lab: false, localCluster: false, asmap: map }
    expect(netGroup('1.2.200.1', policy)).toBe('as:13335')
    expect(netGroup('1.2.3.4', policy)).toBe('as:200')
    expect(netGroup('2a01:4f8:1::1', policy)).toBe(netGroup('2a01:4fa::1', policy))
  })

  it('accepts CRLF line ends and a repeated identical mapping', () => {
    const crlf = AsMap.parse('1.2.0.0/16 5\r\n1.2.0.0/16 AS5\r\n', 'crlf.map')
    expect(crlf.size).toBe(1)
    expect(crlf.lookup('1.2.3.4')).toBe(5)
  })

  it('refuses malformed lines with a typed error naming the line', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['1.2.0.0/16 100\n1.2.0.0 100', 2, /bad prefix/],
      ['1.2.0.0/33 100', 1, /bad prefix/],
      ['2001:db8::/129 100', 1, /bad prefix/],
      ['1.2.0.0/16', 1, /expected/],
      ['1.2.0.0/16 100 extra', 1, /expected/],
      ['\n\n1.2.0.0/16 0', 3, /bad AS number/],
      ['1.2.0.0/16 4294967296', 1, /bad AS number/],
      ['1.2.0.0/16 ASX', 1, /bad AS number/],
      ['1.2.3.0/16 100', 1, /host bits/],
      ['2001:db8::1/32 100', 1, /host bits/],
      ['2a01:4f9::/29 100', 1, /host bits/],
      ['1.2.0.0/16 100\n1.2.0.0/16 101', 2, /already mapped to AS100/],
      ['example.com/16 100', 1, /bad prefix/],
      [`${'1'.repeat(1001)}`, 1, /longer than/],
    ]
    for (const [text, line, reason] of cases) {
      const err = parseError(text)
      expect(err.line, text).toBe(line)
      expect(err.message, text).toMatch(reason)
      expect(err.message).toContain(`test.map:${line}:`)
    }
  })

  it(`refuses more than ${ASMAP_LINES_MAX} lines`, () => {
    const err = parseError('\n'.repeat(ASMAP_LINES_MAX))
    expect(err.line).toBe(ASMAP_LINES_MAX + 1)
  })
})

describe('loadAsMap', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'asmap-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a map file, and names the file in its errors', async () => {
    const good = join(dir, 'good.map')
    await writeFile(good, MAP)
    expect((await loadAsMap(good)).lookup('1.2.3.4')).toBe(200)
    const bad = join(dir, 'bad.map')
    await writeFile(bad, '1.2.0.0/16 100\nnonsense\n')
    await expect(loadAsMap(bad)).rejects.toThrow(AsMapError)
    await expect(loadAsMap(bad)).rejects.toThrow(`${bad}:2:`)
  })
})
