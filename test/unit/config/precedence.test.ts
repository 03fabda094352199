/** Defaults < file < environment < flags, key by key; and where the data directory and the file are. */
import { mkdir, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_DEFAULTS, locateConfigFile, resolveDataDir, resolveNodeConfig } from '../../../src/config/index.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { devnetGenesis, devnetKey, genesisToJson } from '../../../src/ledger/genesis.js'
import { EMBARGO_MEAN_MS } from '../../../src/relay/dandelion/embargo.js'
import { PEER_ID, useScratch } from './helpers.js'

const scratch = useScratch()
const boot = (n: number): string => `/ip4/10.0.0.${n}/tcp/9333/p2p/${PEER_ID}`

describe('defaults', () => {
  it("match today's node: listen on TCP 9333 and WebSocket 9334, RPC on 127.0.0.1:8645, full node, 1 thread, info", async () => {
    const { values, configFile, sources } = await scratch.load()
    expect(configFile).toBeUndefined()
    expect(values).toEqual({
      node: { role: 'full', log_level: 'info', log_format: 'auto' },
      net: {
        listen: ['/ip4/0.0.0.0/tcp/9333', '/ip4/0.0.0.0/tcp/9334/ws'],
        bootstrap: [],
        mdns: false,
        local_cluster: false,
        max_upload_mib: 0,
        lab: false,
        gossip: 'gossipsub',
        compact_blocks: true,
        max_inbound_per_ip: 4,
        max_inbound_per_group: 8,
        status_deadline_ms: 20_000,
      },
      rpc: { host: '127.0.0.1', port: 8645, max_connections: 256, requests_per_sec: 500 },
      mining: { enabled: false, threads: 1 },
      chain: { max_reorg_depth: 10_000 },
      dandelion: { stem: true, fluff_percent: 10, embargo_mean_ms: EMBARGO_MEAN_MS },
    })
    expect(values).toEqual(CONFIG_DEFAULTS)
    expect(new Set(Object.values(sources))).toEqual(new Set(['default']))
  })
})

describe('precedence: file < env < flags', () => {
  const file = `
[node]
log_level = "warn"
role = "miner"
[net]
listen = ["/ip4/127.0.0.1/tcp/1000"]
bootstrap = ["${boot(1)}"]
mdns = true
[rpc]
port = 1001
host = "127.0.0.2"
[mining]
threads = 2
`

  it('the file overrides the defaults', async () => {
    const path = await scratch.writeConfig(file)
    const { values, configFile, sources } = await scratch.load()
    expect(configFile).toBe(path)
    expect(values.node).toMatchObject({ log_level: 'warn', role: 'miner', log_format: 'auto' })
    expect(values.net).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/1000'],
      bootstrap: [boot(1)],
      mdns: true,
      local_cluster: false,
      max_upload_mib: 0,
      lab: false,
      gossip: 'gossipsub',
      compact_blocks: true,
      max_inbound_per_ip: 4,
      max_inbound_per_group: 8,
      status_deadline_ms: 20_000,
    })
    expect(values.rpc).toEqual({ port: 1001, host: '127.0.0.2', max_connections: 256, requests_per_sec: 500 })
    expect(values.mining.threads).toBe(2)
    expect(sources['rpc.port']).toBe(`file ${path}`)
    expect(sources['net.local_cluster']).toBe('default')
  })

  it('the environment overrides the file, key by key, lists whole', async () => {
    await scratch.writeConfig(file)
    const { values, sources } = await scratch.load({
      env: {
        PEERCHAIN_RPC_PORT: '2001',
        PEERCHAIN_NET_BOOTSTRAP: `${boot(2)}, ${boot(3)}`,
        PEERCHAIN_NET_MDNS: '0',
        PEERCHAIN_MINING_THREADS: '3',
        PEERCHAIN_NODE_LOG_FORMAT: 'json',
      },
    })
    expect(values.rpc).toEqual({ port: 2001, host: '127.0.0.2', max_connections: 256, requests_per_sec: 500 })
    expect(values.net.bootstrap).toEqual([boot(2), boot(3)])
    expect(values.net.listen).toEqual(['/ip4/127.0.0.1/tcp/1000'])
    expect(values.net.mdns).toBe(false)
    expect(values.mining.threads).toBe(3)
    expect(values.node).toEqual({ log_level: 'warn', role: 'miner', log_format: 'json' })
    expect(sources['rpc.port']).toBe('env PEERCHAIN_RPC_PORT')
  })

  it('flags override the environment and the file; an absent flag overrides nothing', async () => {
    await scratch.writeConfig(file)
    const { values, sources } = await scratch.load({
      env: { PEERCHAIN_RPC_PORT: '2001', PEERCHAIN_NET_BOOTSTRAP: boot(2), PEERCHAIN_MINING_THREADS: '3' },
      flags: {
        rpcPort: '3001',
        bootstrap: [boot(4), boot(5)],
        listen: ['/ip4/127.0.0.1/tcp/3000', '/ip4/127.0.0.1/tcp/3002/ws'],
        logLevel: 'debug',
        rpcHost: undefined,
        mine: true,
        localCluster: true,
      },
    })
    expect(values.rpc).toEqual({ port: 3001, host: '127.0.0.2', max_connections: 256, requests_per_sec: 500 })
    expect(values.net).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/3000', '/ip4/127.0.0.1/tcp/3002/ws'],
      bootstrap: [boot(4), boot(5)],
      mdns: true,
      local_cluster: true,
      max_upload_mib: 0,
      lab: false,
      gossip: 'gossipsub',
      compact_blocks: true,
      max_inbound_per_ip: 4,
      max_inbound_per_group: 8,
      status_deadline_ms: 20_000,
    })
    expect(values.mining).toEqual({ enabled: true, threads: 3 })
    expect(values.node.log_level).toBe('debug')
    expect(sources['rpc.port']).toBe('flag --rpc-port')
    expect(sources['mining.threads']).toBe('env PEERCHAIN_MINING_THREADS')
  })

  it('reads booleans from the environment as true/false/1/0 and lists as comma-separated', async () => {
    const { values } = await scratch.load({
      env: { PEERCHAIN_NET_MDNS: 'true', PEERCHAIN_NET_LOCAL_CLUSTER: '1', PEERCHAIN_MINING_ENABLED: 'false' },
    })
    expect(values.net.mdns).toBe(true)
    expect(values.net.local_cluster).toBe(true)
    expect(values.mining.enabled).toBe(false)
  })

  it('treats an empty variable as unset', async () => {
    await scratch.writeConfig('[rpc]\nport = 1001\n')
    const { values } = await scratch.load({ env: { PEERCHAIN_RPC_PORT: '' } })
    expect(values.rpc.port).toBe(1001)
  })

  it('leaves alone the PEERCHAIN_ variables that are not config keys', async () => {
    const { values } = await scratch.load({
      env: {
        PEERCHAIN_PASSPHRASE: 'x',
        PEERCHAIN_RPC: 'http://127.0.0.1:1/',
        PEERCHAIN_RPC_TOKEN: 't',
        PEERCHAIN_CONFIG: '',
        PEERCHAIN_TEST_LOG: 'debug',
        PEERCHAIN_TEST_KEEP: '1',
        PEERCHAIN_SOMETHING_ELSE: 'x',
        OTHER: 'x',
      },
    })
    expect(values).toEqual(CONFIG_DEFAULTS)
  })
})

describe('the data directory: --datadir > PEERCHAIN_DATADIR > ~/.peerchain', () => {
  it('takes the flag, then the environment, then the home directory', () => {
    expect(resolveDataDir('/a', { PEERCHAIN_DATADIR: '/b' })).toBe('/a')
    expect(resolveDataDir(undefined, { PEERCHAIN_DATADIR: '/b' })).toBe('/b')
    expect(resolveDataDir(undefined, { PEERCHAIN_DATADIR: '' })).toBe(join(homedir(), '.peerchain'))
    expect(resolveDataDir(undefined, {})).toBe(join(homedir(), '.peerchain'))
    expect(resolveDataDir('rel', {}, '/work')).toBe('/work/rel')
  })
})

describe('the config file: --config > PEERCHAIN_CONFIG > <datadir>/peerchain.toml', () => {
  it('takes the flag, then the environment, then the data directory', () => {
    expect(locateConfigFile('/x.toml', { PEERCHAIN_CONFIG: '/y.toml' }, '/d')).toEqual({
      path: '/x.toml',
      required: true,
      source: 'flag --config',
    })
    expect(locateConfigFile(undefined, { PEERCHAIN_CONFIG: '/y.toml' }, '/d')).toEqual({
      path: '/y.toml',
      required: true,
      source: 'env PEERCHAIN_CONFIG',
    })
    expect(locateConfigFile(undefined, {}, '/d')).toMatchObject({ path: '/d/peerchain.toml', required: false })
  })

  it('reads a file named by --config or PEERCHAIN_CONFIG instead of the one in the data directory', async () => {
    await scratch.writeConfig('[rpc]\nport = 1001\n')
    const other = join(scratch.dir, 'other.toml')
    await writeFile(other, '[rpc]\nport = 1002\n')
    expect((await scratch.load({ env: { PEERCHAIN_CONFIG: other } })).values.rpc.port).toBe(1002)
    // Relative to the working directory.
    expect((await scratch.load({ flags: { config: 'other.toml' } })).configFile).toBe(other)
  })
})

describe('resolveNodeConfig', () => {
  it('resolves a relative genesis path against the config file, and env/flag paths against the cwd', async () => {
    const genesis = devnetGenesis({}, 'peerchain-conftest')
    await mkdir(join(scratch.dataDir, 'chain'), { recursive: true })
    await writeFile(join(scratch.dataDir, 'chain', 'g.json'), JSON.stringify(genesisToJson(genesis)))
    await writeFile(join(scratch.dir, 'g2.json'), JSON.stringify(genesisToJson(devnetGenesis({}, 'peerchain-cwd'))))
    await scratch.writeConfig('[chain]\ngenesis = "chain/g.json"\n')
    const base = { flags: { datadir: scratch.dataDir }, cwd: scratch.dir }
    expect((await resolveNodeConfig({ ...base, env: {} })).genesis.chainId).toBe('peerchain-conftest')
    const fromEnv = await resolveNodeConfig({ ...base, env: { PEERCHAIN_CHAIN_GENESIS: 'g2.json' } })
    expect(fromEnv.genesis.chainId).toBe('peerchain-cwd')
  })

  it('maps the values onto NodeConfig: mining makes a miner, the miner address is parsed', async () => {
    const address = formatAddress(addressFromPublicKey(devnetKey(0).publicKey))
    const config = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir, mine: true, minerAddress: address, logFormat: 'pretty', rpcPort: '0' },
      env: { PEERCHAIN_NODE_ROLE: 'full' },
      cwd: scratch.dir,
    })
    expect(config).toMatchObject({
      dataDir: scratch.dataDir,
      role: 'miner',
      mine: true,
      rpcPort: 0,
      rpcHost: '127.0.0.1',
      logLevel: 'info',
      logFormat: 'pretty',
      configFile: undefined,
      genesis: { chainId: devnetGenesis().chainId },
    })
    expect(formatAddress(config.minerAddress as Uint8Array)).toBe(address)
  })

  it('maps the dandelion keys: --no-dandelion turns the stem off, percent becomes a probability, env sets the embargo', async () => {
    const on = await resolveNodeConfig({ flags: { datadir: scratch.dataDir }, env: {}, cwd: scratch.dir })
    expect(on.dandelion).toEqual({ enabled: true, fluffProbability: 0.1, embargoMeanMs: EMBARGO_MEAN_MS })
    const off = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir, dandelion: false, fluffPercent: '25' },
      env: { PEERCHAIN_DANDELION_EMBARGO_MEAN_MS: '1500' },
      cwd: scratch.dir,
    })
    expect(off.dandelion).toEqual({ enabled: false, fluffProbability: 0.25, embargoMeanMs: 1500 })
  })

  it('maps the peer manager keys onto NodeConfig: lab, the AS map (a path), inbound caps, status deadline', async () => {
    await scratch.writeConfig('[net]\nasmap = "maps/asmap.txt"\nmax_inbound_per_group = 3\n')
    const config = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir, lab: true, maxInboundPerIp: '2', statusDeadlineMs: '1500' },
      env: {},
      cwd: scratch.dir,
    })
    expect(config).toMatchObject({
      lab: true,
      asmapFile: join(scratch.dataDir, 'maps/asmap.txt'),
      inboundPerIpMax: 2,
      inboundPerGroupMax: 3,
      statusDeadlineMs: 1500,
    })
    const defaults = await resolveNodeConfig({ flags: { datadir: scratch.dataDir }, env: {}, cwd: scratch.dir })
    expect(defaults).toMatchObject({ lab: false, inboundPerIpMax: 4, inboundPerGroupMax: 3, statusDeadlineMs: 20_000 })
  })

  it('maps net.compact_blocks: on by default, --no-compact-blocks or the environment turns it off', async () => {
    const on = await resolveNodeConfig({ flags: { datadir: scratch.dataDir }, env: {}, cwd: scratch.dir })
    expect(on.compactBlocks).toBe(true)
    const off = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir, compactBlocks: false },
      env: {},
      cwd: scratch.dir,
    })
    expect(off.compactBlocks).toBe(false)
    const env = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir },
      env: { PEERCHAIN_NET_COMPACT_BLOCKS: 'false' },
      cwd: scratch.dir,
    })
    expect(env.compactBlocks).toBe(false)
  })

  it('maps the lab keys: the links file (a path) only with net.lab, and the gossip router', async () => {
    const config = await resolveNodeConfig({
      flags: { datadir: scratch.dataDir, lab: true, labLinks: 'links.json', gossip: 'floodsub' },
      env: {},
      cwd: scratch.dir,
    })
    expect(config).toMatchObject({ labLinksFile: join(scratch.dir, 'links.json'), gossip: 'floodsub' })
    const refused = resolveNodeConfig({
      flags: { datadir: scratch.dataDir, labLinks: 'links.json' },
      env: {},
      cwd: scratch.dir,
    })
    await expect(refused).rejects.toThrow(
      /net\.lab_links: "[^"]*links\.json" is not allowed .*only with net\.lab = true/,
    )
    await expect(
      resolveNodeConfig({ flags: { datadir: scratch.dataDir, gossip: 'meshsub' }, env: {}, cwd: scratch.dir }),
    ).rejects.toThrow(/net\.gossip/)
  })
})
