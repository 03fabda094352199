/**
 * `peerchain status` against a proof-of-stake validator: `--json` prints
 * node_status as the API returns it (finality and validator included), and
 * the human form shows the finalized block and the validator's rounds.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Command } from 'commander'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { NodeStatusJson } from '../../../src/api/json.js'
import { registerReadCommands } from '../../../src/cli/read.js'

const HASH = 'c17d93961b966248e4e67026b3614887b00379222048aadf09d259534b62d37e'
const VALIDATOR = 'pc1w8n2ka76w0ku3vtnl2p4qnfek7leu54gyz5ssm'

const POS_STATUS: NodeStatusJson = {
  peerId: '12D3KooWStatusTest',
  chainId: 'peerchain-devnet',
  version: '0.1.0',
  head: { hash: HASH, height: 42, timestamp: Date.now() },
  peers: { inbound: 1, outbound: 2 },
  sync: { state: 'idle', doneHeight: 42, targetHeight: 42, blocksPerSecond: 0, etaSeconds: null, peer: null },
  mempool: { size: 0, bytes: 0 },
  mining: { active: false, threads: 0, address: '' },
  consensus: 'pos',
  finalized: { height: 42, hash: HASH },
  validator: { address: VALIDATOR, height: 43, round: 1, step: 'precommit', evidenceSeen: 0 },
}

/** A node that answers every call with `result`. */
async function answering(result: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: number }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }
}

const servers: Server[] = []

afterEach(async () => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

/** Runs `peerchain status <args>` against a node answering `result`; what it printed on stdout. */
async function status(result: NodeStatusJson, args: string[]): Promise<string> {
  const node = await answering(result)
  servers.push(node.server)
  vi.stubEnv('PEERCHAIN_RPC_TOKEN', 'any')
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => {
    lines.push(line)
  })
  const program = new Command().exitOverride()
  registerReadCommands(program)
  await program.parseAsync(['status', '--rpc', node.url, ...args], { from: 'user' })
  return lines.join('\n')
}

describe('peerchain status under proof of stake', () => {
  it('prints the finality and validator fields with --json as the API returns them', async () => {
    const printed = JSON.parse(await status(POS_STATUS, ['--json']))
    expect(printed).toEqual(POS_STATUS)
  })

  it('shows the finalized block and the validator for people', async () => {
    const text = await status(POS_STATUS, [])
    expect(text).toContain(`finalized  #42  ${HASH}\n`)
    expect(text).toContain(`validator  ${VALIDATOR}  at #43, round 1, precommit; 0 double signs seen\n`)
  })

  it('adds nothing under proof of work', async () => {
    const pow: NodeStatusJson = { ...POS_STATUS, consensus: 'pow', finalized: null, validator: null }
    const text = await status(pow, [])
    expect(text).not.toMatch(/finalized|validator/)
    expect(text.split('\n')[1]).toMatch(/^peers +1 in, 2 out$/)
  })
})
