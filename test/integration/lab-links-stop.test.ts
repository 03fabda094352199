/** A node started with a lab links file stops its link shaper (the DNS refresh timer) when it stops. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addressFromPublicKey } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { LinkShaper } from '../../src/net/link-shaper.js'
import type { NodeConfig } from '../../src/node/config.js'
import { startNode } from '../../src/node/start.js'
import { createLogger } from '../../src/util/log.js'
import { fastGenesis } from '../helpers/devnet.js'

let dataDir: string | undefined

afterEach(async () => {
  vi.restoreAllMocks()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('peerchain start --lab --lab-links', () => {
  it('stops the link shaper with the node', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'peerchain-links-stop-'))
    const links = join(dataDir, 'links.json')
    // A host given by name: the shaper re-resolves it on a timer while the node runs.
    await writeFile(
      links,
      JSON.stringify({
        self: '127.0.0.1',
        hosts: { '127.0.0.1': 'a', localhost: 'a' },
        regions: ['a'],
        latencyMs: [[0]],
        jitterMs: 0,
        bandwidthMbit: {},
        defaultBandwidthMbit: 100,
        partition: null,
      }),
    )
    const stop = vi.spyOn(LinkShaper.prototype, 'stop')
    const config: NodeConfig = {
      dataDir: join(dataDir, 'node'),
      genesis: fastGenesis(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      rpcHost: '127.0.0.1',
      rpcPort: 0,
      role: 'full',
      mine: false,
      mineThreads: 1,
      minerAddress: addressFromPublicKey(devnetKey(100).publicKey),
      mdns: false,
      localCluster: true,
      lab: true,
      labLinksFile: links,
    }
    const node = await startNode(config, createLogger('error'))
    expect(stop).not.toHaveBeenCalled()
    await node.stop()
    expect(stop).toHaveBeenCalledTimes(1)
  }, 60_000)
})
