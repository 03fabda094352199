/**
 * The peer manager's outbound rules across a restart, between real processes
 * in lab mode: a node whose candidates span four network groups (two of its
 * peers share one) holds at most one outbound connection per group; at a
 * clean stop it saves its two block-relay peers as anchors, and after the
 * restart those anchors take its block-relay slots again before any other
 * address can (anchors.json is consumed), still one outbound per group.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerJson } from '../../src/api/json.js'
import { labHost } from '../../src/lab/node-process.js'
import { rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'

/** Outbound slot types, which the one-per-group rule covers (manual dials and feelers are outside it). */
const SLOT_TYPES = new Set(['full-relay', 'block-relay'])

let net: TestNet
let peers: TestNode[]
let node: TestNode

const peersOf = (n: TestNode) => rpc<PeerJson[]>(n.rpc, 'net_peers')

/** Outbound slot connections by network group. */
function slotsByGroup(list: PeerJson[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const p of list) {
    if (!SLOT_TYPES.has(p.connectionType)) continue
    groups.set(p.group, [...(groups.get(p.group) ?? []), p.id])
  }
  return groups
}

const blockRelay = (list: PeerJson[]) =>
  list
    .filter((p) => p.connectionType === 'block-relay')
    .map((p) => p.id)
    .sort()

/** Polls `n`'s peers for `ms`: each snapshot must hold at most one slot connection per group. */
async function watchGroups(n: TestNode, ms: number, check?: (list: PeerJson[]) => void): Promise<PeerJson[]> {
  const endMs = Date.now() + ms
  let last: PeerJson[] = []
  while (Date.now() < endMs) {
    last = await peersOf(n)
    for (const [group, ids] of slotsByGroup(last)) expect(ids, `outbound slots in ${group}`).toHaveLength(1)
    check?.(last)
    await new Promise((r) => setTimeout(r, 100))
  }
  return last
}

beforeAll(async () => {
  net = await TestNet.create()
  // Five peers in four groups: 127.0.3.1 and 127.0.3.2 share lab:127.0.3.
  const hosts = [labHost(1), labHost(2), '127.0.3.2', labHost(3), labHost(4)]
  peers = await Promise.all(hosts.map((host, i) => net.start(`peer-${i}`, { host, lab: true })))
  node = await net.start('node', { host: labHost(0), lab: true, bootstrap: peers.map((p) => p.addr) })
}, 60_000)

afterAll(async () => {
  await net?.close()
})

describe('peer manager, outbound across a restart (lab mode)', () => {
  it('keeps one outbound connection per group, saves its block-relay peers as anchors and takes them back first', async () => {
    // Both block-relay slots and at least two full-relay ones fill: four groups, five candidates.
    await waitFor(
      'two block-relay peers and outbound slots in every group',
      async () => {
        const list = await peersOf(node)
        return blockRelay(list).length === 2 && slotsByGroup(list).size === 4
      },
      20_000,
    )
    const before = await watchGroups(node, 1_500)
    const anchorsBefore = blockRelay(before)
    expect(anchorsBefore).toHaveLength(2)

    await net.stop(node)
    const anchorsFile = join(node.dataDir, 'anchors.json')
    const saved = JSON.parse(await readFile(anchorsFile, 'utf8')) as { anchors: Array<{ peer: string; addr: string }> }
    expect(saved.anchors.map((a) => a.peer).sort()).toEqual(anchorsBefore)

    const restarted = await net.start('node', {
      host: labHost(0),
      lab: true,
      bootstrap: peers.map((p) => p.addr),
    })
    // Read and deleted at start: a crash before the next clean stop leaves no stale anchors.
    await expect(stat(anchorsFile)).rejects.toMatchObject({ code: 'ENOENT' })
    // Every block-relay peer it ever holds after the restart is one of its anchors: they come first.
    await waitFor(
      'the anchors back in the block-relay slots',
      async () => {
        const list = await peersOf(restarted)
        for (const id of blockRelay(list)) expect(anchorsBefore).toContain(id)
        return blockRelay(list).length === 2
      },
      15_000,
    )
    const after = await watchGroups(restarted, 2_000, (list) => {
      for (const id of blockRelay(list)) expect(anchorsBefore).toContain(id)
    })
    expect(blockRelay(after)).toEqual(anchorsBefore)
    // And the full-relay slots still spread over the other groups, one each.
    expect(slotsByGroup(after).size).toBeGreaterThanOrEqual(3)
  }, 60_000)
})
