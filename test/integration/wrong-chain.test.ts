/**
 * The status handshake with real node processes: a node of another chain
 * (another chain id, or the same chain id with another genesis) that
 * bootstraps to an honest node is refused at the handshake and never redialed.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Genesis, genesisToJson } from '../../src/ledger/genesis.js'
import { BANS_FILE, type BansFile } from '../../src/net/bans.js'
import {
  fastGenesis,
  isConnected,
  TestNet as Net,
  rpc,
  type TestNet,
  type TestNode,
  waitFor,
} from '../helpers/devnet.js'

let net: TestNet
let honest: TestNode
let peer: TestNode

beforeAll(async () => {
  net = await Net.create()
  honest = await net.start('honest')
  // An honest second node: the refusals below must not cost honest connections.
  peer = await net.start('peer', { bootstrap: [honest.addr] })
  await waitFor('the honest nodes to connect', () => isConnected(honest, peer))
}, 60_000)

afterAll(async () => {
  await net?.close()
})

async function startStranger(name: string, genesis: Genesis): Promise<TestNode> {
  const genesisPath = join(net.dir, `${name}-genesis.json`)
  await writeFile(genesisPath, JSON.stringify(genesisToJson(genesis)))
  return net.start(name, { genesisPath, bootstrap: [honest.addr] })
}

/** The peers `node` banned for good (its persisted ban list: the operator's bans only). */
async function bannedBy(node: TestNode): Promise<string[]> {
  const text = await readFile(join(node.dataDir, BANS_FILE), 'utf8').catch(() => undefined)
  return text === undefined ? [] : (JSON.parse(text) as BansFile).bans.map((b) => b.peer)
}

/**
 * The honest node refused the stranger at the handshake (it discourages it:
 * disconnected and refused, in memory), then neither lists the other; for
 * `forMs` the honest node never lists it again (it does not redial it, and
 * refuses it when it redials), and it wrote no permanent ban: those are the
 * operator's alone.
 *
 * Only the honest side is checked at every poll: the stranger refuses the honest
 * node too when its own status exchange completes, but when the honest node
 * hangs up first (more likely under load) the stranger only sees a closed
 * stream, cannot tell a refusal from a fault, and retries with backoff.
 */
async function expectRefusedFor(honestNode: TestNode, stranger: TestNode, forMs: number): Promise<void> {
  const apart = async (): Promise<boolean> =>
    !(await isConnected(honestNode, stranger)) && !(await isConnected(stranger, honestNode))
  await waitFor('the two nodes to be disconnected', apart)
  const deadline = Date.now() + forMs
  while (Date.now() < deadline) {
    expect(await isConnected(honestNode, stranger), 'the honest node lists the stranger').toBe(false)
    await new Promise((r) => setTimeout(r, 100))
  }
  await waitFor('the two nodes to stay disconnected', apart)
  expect(await bannedBy(honestNode)).not.toContain(stranger.peerId)
}

describe('a node of another chain', () => {
  it('with another chain id is refused at the handshake and not redialed', async () => {
    const stranger = await startStranger('other-id', fastGenesis({}, 'peerchain-other'))
    const info = await rpc<{ chainId: string }>(stranger.rpc, 'node_info')
    expect(info.chainId).toBe('peerchain-other')
    await expectRefusedFor(honest, stranger, 6_000)
    expect(await isConnected(honest, peer)).toBe(true)
  }, 40_000)

  it('with the same chain id but another genesis is refused at the handshake and not redialed', async () => {
    const stranger = await startStranger('other-genesis', fastGenesis({ blockTimeMs: 600 }))
    const [ours, theirs] = await Promise.all([
      rpc<{ chainId: string; genesisHash: string }>(honest.rpc, 'node_info'),
      rpc<{ chainId: string; genesisHash: string }>(stranger.rpc, 'node_info'),
    ])
    expect(theirs.chainId).toBe(ours.chainId)
    expect(theirs.genesisHash).not.toBe(ours.genesisHash)
    await expectRefusedFor(honest, stranger, 6_000)
    expect(await isConnected(honest, peer)).toBe(true)
  }, 40_000)
})
