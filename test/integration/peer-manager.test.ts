/**
 * The peer manager's inbound rules between real processes on 127.A.B.C
 * addresses in lab mode (each 127.A.B its own network group): a flood of
 * connections from one group under throwaway keys gets at most the group's
 * share while honest peers in other groups keep their connections; a peer
 * that never completes the status exchange is cut at the deadline; a subnet
 * ban refuses every peer id from the subnet. One node under test, three
 * honest lab nodes, and attacker hosts in a child process (lab-peers.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerJson } from '../../src/api/json.js'
import { labHost } from '../../src/lab/node-process.js'
import { isConnected, rpc, TestNet, type TestNode, waitFor } from '../helpers/devnet.js'
import {
  type FloodReport,
  type LabPeers,
  type ProbeReport,
  type SilentReport,
  startLabPeers,
} from '../helpers/lab-peers.js'

/** Short, so the silent peer's test is quick; honest handshakes on loopback take milliseconds. */
const STATUS_DEADLINE_MS = 2_000
/** The defaults the node runs with (config net.max_inbound_per_ip / per_group). */
const PER_IP_MAX = 4
const PER_GROUP_MAX = 8
const FLOOD_SUBNET = '127.9.9'
const FLOOD_MS = 4_000
const BANNED_SUBNET = '127.9.7'

let net: TestNet
let target: TestNode
let honest: TestNode[]
/** An honest lab node inside the subnet the last test bans. */
let insider: TestNode
let task: { target: string; chainId: string; genesisHash: string }
const children: Array<LabPeers<unknown>> = []

function run<R extends FloodReport | ProbeReport | SilentReport>(
  spec: Parameters<typeof startLabPeers>[0],
): LabPeers<R> {
  const child = startLabPeers<R>(spec)
  children.push(child as LabPeers<unknown>)
  return child
}

const peersOf = (node: TestNode) => rpc<PeerJson[]>(node.rpc, 'net_peers')
const ipOf = (address: string) => /^\/ip4\/([^/]+)\//.exec(address)?.[1] ?? address

beforeAll(async () => {
  net = await TestNet.create()
  target = await net.start('target', {
    host: labHost(0),
    lab: true,
    extra: ['--status-deadline-ms', String(STATUS_DEADLINE_MS)],
  })
  honest = await Promise.all([
    net.start('honest-a', { host: labHost(1), lab: true, bootstrap: [target.addr] }),
    net.start('honest-b', { host: labHost(2), lab: true, bootstrap: [target.addr] }),
  ])
  insider = await net.start('insider', { host: `${BANNED_SUBNET}.5`, lab: true, bootstrap: [target.addr] })
  for (const node of [...honest, insider]) {
    await waitFor(`${node.peerId.slice(-6)} to connect to the target`, () => isConnected(target, node))
  }
  const info = await rpc<{ chainId: string; genesisHash: string }>(target.rpc, 'node_info')
  task = { target: target.addr, chainId: info.chainId, genesisHash: info.genesisHash }
}, 60_000)

afterAll(async () => {
  for (const child of children) child.kill()
  await net?.close()
})

describe('peer manager, inbound (lab mode)', () => {
  it('60 connections from one group under throwaway keys get at most 8 slots; honest peers in other groups keep theirs', async () => {
    const before = await peersOf(target)
    const honestConnections = new Map(
      honest.map((node) => [node.peerId, before.find((p) => p.id === node.peerId)?.addresses.join(' ')]),
    )
    for (const [id, addresses] of honestConnections) expect(addresses, id).toBeDefined()

    const flood = run<FloodReport>({
      ...task,
      mode: 'flood',
      subnet: FLOOD_SUBNET,
      ips: 15,
      perIp: 4,
      durationMs: FLOOD_MS,
    })
    await flood.started
    let done = false
    void flood.report.finally(() => {
      done = true
    })
    let groupMax = 0
    let ipMax = 0
    let polls = 0
    while (!done) {
      const peers = await peersOf(target)
      polls++
      const flooders = peers.filter((p) => p.group === `lab:${FLOOD_SUBNET}`)
      groupMax = Math.max(groupMax, flooders.length)
      const perIp = new Map<string, number>()
      for (const p of flooders) for (const a of p.addresses) perIp.set(ipOf(a), (perIp.get(ipOf(a)) ?? 0) + 1)
      ipMax = Math.max(ipMax, ...perIp.values(), 0)
      // The same connections all along (a reconnect would come from another port): never evicted.
      for (const [id, addresses] of honestConnections) {
        expect(peers.find((p) => p.id === id)?.addresses.join(' '), `honest peer ${id} at poll ${polls}`).toBe(
          addresses,
        )
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    const report = await flood.report
    console.log(
      `inbound flood: ${report.dials} dials from ${FLOOD_SUBNET}.0/24, ${report.admitted} let in, ${report.refused} refused; ` +
        `at most ${groupMax} from the group and ${ipMax} from one IP at once (${polls} polls)`,
    )
    expect(report.dials).toBeGreaterThanOrEqual(60)
    // The flood reached the node and filled the group's share, no more.
    expect(groupMax).toBeGreaterThan(0)
    expect(groupMax).toBeLessThanOrEqual(PER_GROUP_MAX)
    expect(ipMax).toBeLessThanOrEqual(PER_IP_MAX)
    expect(report.refused).toBeGreaterThanOrEqual(60 - PER_GROUP_MAX)
    const after = await peersOf(target)
    for (const [id, addresses] of honestConnections) {
      expect(after.find((p) => p.id === id)?.addresses.join(' ')).toBe(addresses)
    }
  }, 30_000)

  it('cuts a peer that never completes the status exchange at the deadline', async () => {
    const silent = run<SilentReport>({ ...task, mode: 'silent', ip: '127.9.8.1' })
    const report = await silent.report
    console.log(`silent peer: cut ${report.cutAfterMs} ms after connecting (deadline ${STATUS_DEADLINE_MS} ms)`)
    // The node accepted it and asked for its status (our request's own timeout is 5 s: the deadline comes first).
    expect(report.asked).toBe(true)
    expect(report.cutAfterMs).toBeDefined()
    expect(report.cutAfterMs as number).toBeGreaterThanOrEqual(STATUS_DEADLINE_MS - 250)
    expect(report.cutAfterMs as number).toBeLessThan(STATUS_DEADLINE_MS + 2_000)
    // Honest peers, connected far longer than the deadline, are still there.
    for (const node of honest) expect(await isConnected(target, node)).toBe(true)
  }, 30_000)

  it('a subnet ban refuses every peer id from the subnet, and only from it', async () => {
    expect(await isConnected(target, insider)).toBe(true)
    await rpc(target.rpc, 'net_ban', { subnet: `${BANNED_SUBNET}.0/24`, reason: 'lab subnet ban' })
    // The node inside is cut at once, and its redials are refused.
    await waitFor('the banned subnet to be cut', async () => !(await isConnected(target, insider)), 5_000)
    const probe = run<ProbeReport>({
      ...task,
      mode: 'probe',
      ips: [`${BANNED_SUBNET}.1`, `${BANNED_SUBNET}.77`, `${BANNED_SUBNET}.254`, '127.9.6.1'],
      tries: 2,
    })
    const { dials } = await probe.report
    expect(dials.filter((d) => d.ip.startsWith(`${BANNED_SUBNET}.`)).map((d) => d.admitted)).toEqual(
      Array(6).fill(false),
    )
    // The same kind of dial from outside the subnet gets in.
    expect(dials.filter((d) => d.ip === '127.9.6.1').map((d) => d.admitted)).toEqual([true, true])
    expect(await isConnected(target, insider)).toBe(false)
    for (const node of honest) expect(await isConnected(target, node)).toBe(true)
  }, 30_000)
})
