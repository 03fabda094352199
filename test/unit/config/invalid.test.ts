/**
 * Every kind of bad value is refused, naming the key, the value, what is allowed and
 * where it came from; nothing is half-accepted.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveNodeConfig } from '../../../src/config/index.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { PEER_ID, useScratch } from './helpers.js'

const scratch = useScratch()
const ADDRESS = formatAddress(addressFromPublicKey(devnetKey(0).publicKey))
/** The same address with its last character changed: the bech32m checksum fails. */
const ADDRESS_TYPO = `${ADDRESS.slice(0, -1)}${ADDRESS.endsWith('q') ? 'p' : 'q'}`

describe('refused values', () => {
  it('reads like "key: value is not allowed (from source): expected …"', async () => {
    const err = await scratch.refusal({ env: { PEERCHAIN_RPC_PORT: '70000' } })
    expect(err.message).toBe(
      'rpc.port: 70000 is not allowed (from env PEERCHAIN_RPC_PORT): expected an integer 0-65535',
    )
    expect(err).toMatchObject({
      name: 'ConfigError',
      key: 'rpc.port',
      value: 70000,
      allowed: 'an integer 0-65535',
      source: 'env PEERCHAIN_RPC_PORT',
    })
  })

  // [key, file text, the value shown] — one case per rule in the schema.
  const fileCases: Array<[string, string, string]> = [
    ['rpc.port', '[rpc]\nport = "8645"', '"8645"'], // wrong type
    ['rpc.port', '[rpc]\nport = 65536', '65536'], // above the range
    ['rpc.port', '[rpc]\nport = -1', '-1'], // below the range
    ['rpc.port', '[rpc]\nport = 1.5', '1.5'], // not an integer
    ['rpc.host', '[rpc]\nhost = "not a host"', '"not a host"'],
    ['node.role', '[node]\nrole = "boss"', '"boss"'], // bad enum
    ['node.log_level', '[node]\nlog_level = "trace"', '"trace"'],
    ['node.log_format', '[node]\nlog_format = "xml"', '"xml"'],
    ['net.listen', '[net]\nlisten = ["/ip4/999.0.0.1/tcp/1"]', '"/ip4/999.0.0.1/tcp/1"'], // bad multiaddr
    ['net.listen', '[net]\nlisten = ["0.0.0.0:9333"]', '"0.0.0.0:9333"'],
    ['net.listen', '[net]\nlisten = []', '[]'], // no address at all
    ['net.listen', '[net]\nlisten = ["/"]', '"/"'], // an empty multiaddr
    ['net.listen', '[net]\nlisten = "/ip4/0.0.0.0/tcp/9333"', '"/ip4/0.0.0.0/tcp/9333"'], // not a list
    ['net.bootstrap', '[net]\nbootstrap = ["/ip4/10.0.0.1/tcp/9333"]', '"/ip4/10.0.0.1/tcp/9333"'], // no /p2p/
    ['net.bootstrap', '[net]\nbootstrap = ["/ip4/10.0.0.1/tcp/9333/p2p/nope"]', '"/ip4/10.0.0.1/tcp/9333/p2p/nope"'],
    ['net.bootstrap', `[net]\nbootstrap = ["/ip4/10.0.0.1/tcp/99999/p2p/${PEER_ID}"]`, '"/ip4/10.0.0.1/tcp/99999'],
    ['net.mdns', '[net]\nmdns = "yes"', '"yes"'],
    ['net.local_cluster', '[net]\nlocal_cluster = 1', '1'],
    ['net.lab', '[net]\nlab = "yes"', '"yes"'],
    ['net.asmap', '[net]\nasmap = ""', '""'],
    ['net.max_inbound_per_ip', '[net]\nmax_inbound_per_ip = 0', '0'],
    ['net.max_inbound_per_group', '[net]\nmax_inbound_per_group = 1025', '1025'],
    ['net.status_deadline_ms', '[net]\nstatus_deadline_ms = 50', '50'],
    ['mining.enabled', '[mining]\nenabled = "true"', '"true"'],
    ['mining.threads', '[mining]\nthreads = 0', '0'],
    ['mining.threads', '[mining]\nthreads = 65', '65'],
    ['mining.address', `[mining]\naddress = "${ADDRESS_TYPO}"`, `"${ADDRESS_TYPO}"`], // bad checksum
    ['mining.address', '[mining]\naddress = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"', '"bc1q'], // other prefix
    ['chain.genesis', '[chain]\ngenesis = ""', '""'],
  ]
  it.each(fileCases)('refuses a bad %s in the file: %s', async (key, text, shown) => {
    const path = await scratch.writeConfig(`${text}\n`)
    const err = await scratch.refusal()
    expect(err.key).toBe(key)
    expect(err.source).toBe(`file ${path}`)
    expect(err.message.startsWith(`${key}: ${shown}`)).toBe(true)
    expect(err.message).toContain(`(from file ${path}): expected ${err.allowed}`)
  })

  it('says why a multiaddr, a bootstrap address or a miner address is wrong', async () => {
    await scratch.writeConfig(
      `[net]\nlisten = ["/ip4/999.0.0.1/tcp/1"]\nbootstrap = ["/ip4/10.0.0.1/tcp/9333"]\n[mining]\naddress = "${ADDRESS_TYPO}"\n`,
    )
    const err = await scratch.refusal()
    expect(err.message).toMatch(/net\.listen: .*\(Invalid IPv4 address "999\.0\.0\.1"\)/)
    expect(err.message).toMatch(/net\.bootstrap: .*\(it does not end in \/p2p\/<peer id>\)/)
    expect(err.message).toMatch(/mining\.address: .*checksum/i)
  })

  it('refuses unknown keys and sections in the file (strict)', async () => {
    const path = await scratch.writeConfig('[rpc]\nprot = 9000\n[wallet]\nname = "x"\n')
    const err = await scratch.refusal()
    expect(err.issues.map((i) => i.key)).toEqual(['rpc.prot', 'wallet'])
    expect(err.message).toContain(`rpc.prot is not a known key (from file ${path}): expected one of rpc.host, rpc.port`)
    expect(err.message).toContain('wallet is not a known key')
    expect(err.message).toContain('[node], [net], [rpc], [mining], [chain]')
  })

  it('refuses a section that is not a table', async () => {
    await scratch.writeConfig('rpc = 8645\n')
    const err = await scratch.refusal()
    expect(err).toMatchObject({ key: 'rpc', value: 8645, allowed: 'a [rpc] table' })
  })

  it('refuses bad values from the environment, naming the variable', async () => {
    const cases: Array<[string, string, string]> = [
      ['PEERCHAIN_RPC_PORT', 'abc', 'rpc.port: "abc"'], // wrong type
      ['PEERCHAIN_RPC_PORT', '8645.5', 'rpc.port: "8645.5"'],
      ['PEERCHAIN_MINING_THREADS', '65', 'mining.threads: 65'], // out of range
      ['PEERCHAIN_NODE_ROLE', 'boss', 'node.role: "boss"'], // bad enum
      ['PEERCHAIN_NET_MDNS', 'yes', 'net.mdns: "yes"'], // not true/false/1/0
      ['PEERCHAIN_NET_BOOTSTRAP', '/ip4/10.0.0.1/tcp/1', 'net.bootstrap: "/ip4/10.0.0.1/tcp/1"'],
      ['PEERCHAIN_NET_LISTEN', '/ip4/10.0.0.1/tcp/1,/bogus', 'net.listen: "/bogus"'],
      ['PEERCHAIN_MINING_ADDRESS', ADDRESS_TYPO, `mining.address: "${ADDRESS_TYPO}"`],
    ]
    for (const [name, value, start] of cases) {
      const err = await scratch.refusal({ env: { [name]: value } })
      expect(err.source, name).toBe(`env ${name}`)
      expect(err.message.startsWith(`${start} is not allowed (from env ${name}): expected `), err.message).toBe(true)
    }
  })

  it('refuses an unknown PEERCHAIN_ variable that looks like a config key, naming it', async () => {
    const err = await scratch.refusal({ env: { PEERCHAIN_RPC_PROT: '9000', PEERCHAIN_LOG_LEVEL: 'debug' } })
    expect(err.issues.map((i) => i.source)).toEqual(['env PEERCHAIN_RPC_PROT', 'env PEERCHAIN_LOG_LEVEL'])
    expect(err.message).toContain(
      'rpc.prot is not a known key (from env PEERCHAIN_RPC_PROT): expected one of PEERCHAIN_RPC_HOST, PEERCHAIN_RPC_PORT',
    )
    expect(err.message).toContain('(from env PEERCHAIN_LOG_LEVEL): expected PEERCHAIN_NODE_LOG_LEVEL')
  })

  it('refuses bad values from flags, naming the flag', async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ rpcPort: 'x' }, 'rpc.port: "x" is not allowed (from flag --rpc-port)'],
      [{ mineThreads: '100' }, 'mining.threads: 100 is not allowed (from flag --mine-threads)'],
      [{ role: 'archive' }, 'node.role: "archive" is not allowed (from flag --role)'],
      [{ logLevel: 'loud' }, 'node.log_level: "loud" is not allowed (from flag --log-level)'],
      [{ logFormat: 'xml' }, 'node.log_format: "xml" is not allowed (from flag --log-format)'],
      [{ listen: ['/ip4/1.2.3.4/udp/x'] }, 'net.listen: "/ip4/1.2.3.4/udp/x" is not allowed (from flag --listen)'],
      [
        { bootstrap: ['/ip4/1.2.3.4/tcp/1'] },
        'net.bootstrap: "/ip4/1.2.3.4/tcp/1" is not allowed (from flag --bootstrap)',
      ],
      [{ minerAddress: 'pc1nope' }, 'mining.address: "pc1nope" is not allowed (from flag --miner-address)'],
      [{ rpcHost: 'a b' }, 'rpc.host: "a b" is not allowed (from flag --rpc-host)'],
    ]
    for (const [flags, start] of cases) {
      const err = await scratch.refusal({ flags })
      expect(err.message.startsWith(start), err.message).toBe(true)
    }
  })

  it('checks every layer on its own: a bad file value is refused even when the environment overrides it', async () => {
    const path = await scratch.writeConfig('[rpc]\nport = 70000\n')
    const err = await scratch.refusal({ env: { PEERCHAIN_RPC_PORT: '9000' } })
    expect(err).toMatchObject({ key: 'rpc.port', source: `file ${path}` })
  })

  it('reports every problem at once, across the file, the environment and the flags', async () => {
    const path = await scratch.writeConfig('[rpc]\nport = 70000\nhost = 5\n[mining]\nthreads = 0\n')
    const err = await scratch.refusal({ env: { PEERCHAIN_NODE_ROLE: 'boss' }, flags: { logLevel: 'loud' } })
    expect(err.issues.map((i) => [i.key, i.source])).toEqual([
      ['rpc.host', `file ${path}`],
      ['rpc.port', `file ${path}`],
      ['mining.threads', `file ${path}`],
      ['node.role', 'env PEERCHAIN_NODE_ROLE'],
      ['node.log_level', 'flag --log-level'],
    ])
    expect(err.message.split('\n')).toHaveLength(5)
  })
})

describe('refused files', () => {
  it('names the file, line and column of a TOML syntax error', async () => {
    const path = await scratch.writeConfig('[rpc]\nport = 8645\nhost = = "x"\n')
    const err = await scratch.refusal()
    expect(err.key).toBe('(file)')
    expect(err.message).toMatch(new RegExp(`^config file ${path} is not valid TOML: line 3, column \\d+: `))
  })

  it('refuses a config file named by --config or PEERCHAIN_CONFIG that does not exist', async () => {
    const missing = join(scratch.dir, 'missing.toml')
    const byFlag = await scratch.refusal({ flags: { config: missing } })
    expect(byFlag.message).toBe(`config file ${missing} does not exist (from flag --config)`)
    const byEnv = await scratch.refusal({ env: { PEERCHAIN_CONFIG: missing } })
    expect(byEnv.message).toBe(`config file ${missing} does not exist (from env PEERCHAIN_CONFIG)`)
  })

  it('refuses a config file that cannot be read', async () => {
    const dir = join(scratch.dir, 'a-directory.toml')
    await mkdir(dir)
    const err = await scratch.refusal({ flags: { config: dir } })
    expect(err.message).toMatch(/a-directory\.toml cannot be read: .*EISDIR/)
  })

  it('refuses a genesis file that cannot be read, naming chain.genesis', async () => {
    const path = await scratch.writeConfig('[chain]\ngenesis = "nope.json"\n')
    const run = resolveNodeConfig({ flags: { datadir: scratch.dataDir }, env: {}, cwd: scratch.dir })
    await expect(run).rejects.toMatchObject({
      name: 'ConfigError',
      key: 'chain.genesis',
      value: join(scratch.dataDir, 'nope.json'),
      source: `file ${path}`,
    })
  })

  it('keeps a GenesisError for a genesis file that is read but wrong', async () => {
    await writeFile(join(scratch.dir, 'bad.json'), '{}')
    const run = resolveNodeConfig({
      flags: { datadir: scratch.dataDir, genesis: 'bad.json' },
      env: {},
      cwd: scratch.dir,
    })
    await expect(run).rejects.toMatchObject({ name: 'GenesisError' })
  })
})
