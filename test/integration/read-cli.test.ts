/**
 * The read commands end to end: `peerchain status`, `peers`, `addrman`, `block`,
 * `tx get` and `mempool`, run as the real CLI against a 2-node devnet (one miner), in
 * table and --json form, checked against what the nodes say over JSON-RPC.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddrManJson, BlockJson, MempoolJson, NodeStatusJson, PeerJson, TxLookupJson } from '../../src/api/json.js'
import { formatCoins, shortPeerId } from '../../src/cli/format.js'
import { addressFromPublicKey, formatAddress } from '../../src/ledger/address.js'
import { devnetKey } from '../../src/ledger/genesis.js'
import { Tx } from '../../src/ledger/tx.js'
import { toHex } from '../../src/util/bytes.js'
import { type CliResult, cli as runCli } from '../helpers/cli.js'
import { head, isConnected, rpc, TestNet, type TestNode, waitFor, waitForHeight } from '../helpers/devnet.js'

const NO_NODE = 'http://127.0.0.1:1/'
const UNKNOWN_HASH = 'ab'.repeat(32)

/** Runs the CLI with no RPC settings inherited from the environment, unless `env` gives some. */
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 60_000, { ...process.env, PEERCHAIN_RPC: '', PEERCHAIN_RPC_TOKEN: '' })

/** Runs a read command with --json against `node`; it must succeed and print exactly one JSON document. */
async function cliJson<T>(node: TestNode, args: string[]): Promise<T> {
  const res = await cli([...args, '--json', '--rpc', node.rpc])
  expect(res.code, res.stderr).toBe(0)
  expect(res.stdout.endsWith('\n') && res.stdout.trim().split('\n')).toHaveLength(1)
  return JSON.parse(res.stdout) as T
}

async function cliText(node: TestNode, args: string[]): Promise<string> {
  const res = await cli([...args, '--rpc', node.rpc])
  expect(res.code, res.stderr).toBe(0)
  expect(res.stderr).toBe('')
  return res.stdout
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let net: TestNet
let miner: TestNode
let follower: TestNode

beforeAll(async () => {
  net = await TestNet.create()
  miner = await net.start('miner', { mine: true })
  follower = await net.start('follower', { bootstrap: [miner.addr] })
  await waitFor('the follower to connect', () => isConnected(follower, miner))
  await waitForHeight(follower, 2)
}, 120_000)

afterAll(async () => {
  await net?.close()
})

describe('peerchain status', () => {
  it('--json is node_status: the head, peers and mining of the node asked', async () => {
    const before = await head(miner)
    const status = await cliJson<NodeStatusJson>(miner, ['status'])
    expect(status.peerId).toBe(miner.peerId)
    expect(status.chainId).toBe('peerchain-test')
    expect(status.head.height).toBeGreaterThanOrEqual(before.height)
    expect(status.peers.inbound + status.peers.outbound).toBeGreaterThanOrEqual(1)
    expect(status.mining).toMatchObject({ active: true, threads: 1 })
    expect(status.mining.address).toMatch(/^pc1/)
    expect(status.sync.state).toBe('idle')

    const follows = await cliJson<NodeStatusJson>(follower, ['status'])
    expect(follows.peerId).toBe(follower.peerId)
    expect(follows.mining.active).toBe(false)
    expect(follows.peers.outbound).toBeGreaterThanOrEqual(1)
  })

  it('prints aligned key/value lines with the real values', async () => {
    const before = await head(miner)
    const status = await rpc<NodeStatusJson>(miner.rpc, 'node_status')
    const text = await cliText(miner, ['status'])
    const lines = text.trimEnd().split('\n')
    expect(lines.map((l) => l.split(/ {2,}/)[0])).toEqual([
      'head',
      'peers',
      'sync',
      'mempool',
      'mining',
      'peer id',
      'chain id',
      'version',
    ])
    // every value starts in one column
    expect(new Set(lines.map((l) => l.search(/(?<= {2})\S/))).size).toBe(1)
    const shownHeight = Number(/^head +#(\d+) {2}[0-9a-f]{64} {2}\(\S+ ago\)$/.exec(lines[0] ?? '')?.[1])
    expect(shownHeight).toBeGreaterThanOrEqual(before.height)
    expect(text).toMatch(/^peers +\d+ in, \d+ out$/m)
    expect(text).toMatch(/^sync +idle$/m)
    expect(text).toContain(`mining    on, 1 thread, paying ${status.mining.address}\n`)
    expect(text).toContain(`peer id   ${miner.peerId}\n`)
    expect(text).toContain('chain id  peerchain-test\n')
    expect(text).toContain(`version   ${status.version}\n`)
  })

  it('finds the node through $PEERCHAIN_RPC, and --rpc wins over it', async () => {
    const viaEnv = await cli(['status', '--json'], { PEERCHAIN_RPC: follower.rpc })
    expect(viaEnv.code, viaEnv.stderr).toBe(0)
    expect(JSON.parse(viaEnv.stdout).peerId).toBe(follower.peerId)
    const flagWins = await cli(['status', '--json', '--rpc', miner.rpc], { PEERCHAIN_RPC: follower.rpc })
    expect(JSON.parse(flagWins.stdout).peerId).toBe(miner.peerId)
  })
})

describe('peerchain peers', () => {
  it('--json is net_peers, naming the other node', async () => {
    const peers = await cliJson<PeerJson[]>(follower, ['peers'])
    const toMiner = peers.find((p) => p.id === miner.peerId)
    // On 127.0.0.1 without --lab, everyone is in the one group `local`.
    expect(toMiner).toMatchObject({ direction: 'outbound', group: 'local' })
    expect(toMiner?.connectionType).not.toBe('inbound')
    expect(toMiner?.addresses.length).toBeGreaterThan(0)
    const fromFollower = (await cliJson<PeerJson[]>(miner, ['peers'])).find((p) => p.id === follower.peerId)
    expect(fromFollower).toMatchObject({ direction: 'inbound', connectionType: 'inbound', group: 'local' })
  })

  it('tables the peers: short id, connection type, group, score, address', async () => {
    const peers = await rpc<PeerJson[]>(follower.rpc, 'net_peers')
    const text = await cliText(follower, ['peers'])
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\d+ peers?: \d+ in, \d+ out, in \d+ network groups?$/)
    expect(lines[1]).toMatch(/^ID +TYPE +GROUP +SCORE +ADDRESS$/)
    const row = lines.find((l) => l.startsWith(shortPeerId(miner.peerId)))
    expect(row, text).toBeDefined()
    const peer = peers.find((p) => p.id === miner.peerId) as PeerJson
    const address = peer.addresses[0]?.replace(`/p2p/${miner.peerId}`, '') ?? ''
    expect(row).toMatch(
      new RegExp(
        `^${shortPeerId(miner.peerId)} +${peer.connectionType} +local +${peer.score} +${escapeRegExp(address)}$`,
      ),
    )
  })
})

describe('peerchain addrman', () => {
  it('--json is net_addrman; the table gives the totals and a row per group', async () => {
    const book = await cliJson<AddrManJson>(follower, ['addrman'])
    expect(book).toEqual(await rpc<AddrManJson>(follower.rpc, 'net_addrman'))
    expect(book.groups.reduce((n, g) => n + g.new + g.tried, 0)).toBe(book.new + book.tried)
    const lines = (await cliText(follower, ['addrman'])).trimEnd().split('\n')
    expect(lines[0]).toMatch(
      new RegExp(
        `^${book.new + book.tried} address(es)? \\(${book.new} new, ${book.tried} tried\\) in \\d+ network groups?`,
      ),
    )
    if (book.groups.length > 0) expect(lines[1]).toMatch(/^GROUP +NEW +TRIED$/)
  })
})

describe('peerchain block', () => {
  it('`block 1 --json` is chain_getBlock, by height and by hash', async () => {
    const expected = await rpc<BlockJson>(miner.rpc, 'chain_getBlock', { height: 1 })
    expect(await cliJson<BlockJson>(miner, ['block', '1'])).toEqual(expected)
    expect(await cliJson<BlockJson>(follower, ['block', expected.hash])).toEqual(expected)
    expect(await cliJson<BlockJson>(miner, ['block', expected.hash.toUpperCase()])).toEqual(expected)
  })

  it('prints the header fields and says when there are no transactions', async () => {
    const block = await rpc<BlockJson>(miner.rpc, 'chain_getBlock', { height: 1 })
    const text = await cliText(miner, ['block', '1'])
    expect(text).toMatch(/^height {6}1$/m)
    expect(text).toContain(`hash        ${block.hash}\n`)
    expect(text).toContain(`parent      ${block.parentHash}\n`)
    expect(text).toContain(`miner       ${block.miner}\n`)
    expect(text).toContain(`reward      ${formatCoins(block.reward)}\n`)
    expect(text).toContain(`state root  ${block.stateRoot}\n`)
    expect(text).toContain(`nonce       ${block.nonce}\n`)
    expect(text).toMatch(/^time {8}\d{4}-\d\d-\d\dT[\d:.]+Z \(\S+ ago\)$/m)
    // mined before any transfer was sent
    expect(block.txs).toEqual([])
    expect(text).toMatch(/^txs {9}0\n[\s\S]*\n\nno transactions\n$/m)
  })

  it('exits 1 for a block the node does not have, saying where the head is', async () => {
    const before = (await head(miner)).height
    const far = await cli(['block', '999999', '--rpc', miner.rpc])
    const after = (await head(miner)).height
    expect(far.code).toBe(1)
    expect(far.stdout).toBe('')
    const [, shownHead] = /^peerchain: no block at height 999999 \(the head is at (\d+)\)\n$/.exec(far.stderr) ?? []
    expect(Number(shownHead)).toBeGreaterThanOrEqual(before)
    expect(Number(shownHead)).toBeLessThanOrEqual(after)

    const byHash = await cli(['block', UNKNOWN_HASH, '--json', '--rpc', miner.rpc])
    expect(byHash.code).toBe(1)
    expect(JSON.parse(byHash.stdout)).toBeNull()
    expect(byHash.stderr).toBe(`peerchain: no block with hash ${UNKNOWN_HASH}\n`)
  })

  it('exits 2 for what is neither a height nor a hash', async () => {
    const bads = ['xyz', '12ab', UNKNOWN_HASH.slice(2)]
    const results = await Promise.all(bads.map((bad) => cli(['block', bad, '--rpc', miner.rpc])))
    for (const [i, res] of results.entries()) {
      const bad = bads[i] as string
      expect(res.code, bad).toBe(2)
      expect(res.stderr).toContain(
        `a block height (a whole number, e.g. 42) or a block hash (64 hex digits), got "${bad}"`,
      )
    }
  })
})

describe('a transaction through mempool, tx get and block', () => {
  it('shows a submitted tx pending in the mempool, then included in its block', async () => {
    await rpc(miner.rpc, 'miner_stop')
    const key = devnetKey(0)
    const from = formatAddress(addressFromPublicKey(key.publicKey))
    const to = formatAddress(addressFromPublicKey(devnetKey(1).publicKey))
    const account = await rpc<{ nonce: string }>(miner.rpc, 'chain_getAccount', { address: from })
    const tx = Tx.create(
      {
        chainId: 'peerchain-test',
        recipient: addressFromPublicKey(devnetKey(1).publicKey),
        amount: 1_250_000_000n,
        fee: 1_000n,
        nonce: BigInt(account.nonce),
        memo: new TextEncoder().encode('read-cli'),
      },
      key,
    )
    const { hash } = await rpc<{ hash: string }>(miner.rpc, 'tx_submit', { tx: toHex(tx.bytes) })

    // mempool, both forms
    const pool = await cliJson<MempoolJson>(miner, ['mempool'])
    expect(pool).toEqual(await rpc<MempoolJson>(miner.rpc, 'mempool_list', { limit: 100 }))
    expect(pool.txs.find((t) => t.hash === hash)).toEqual({
      hash,
      sender: from,
      nonce: account.nonce,
      fee: '1000',
      status: 'ready',
      kind: 'transfer',
    })
    const poolText = await cliText(miner, ['mempool', '--limit', '10'])
    expect(poolText).toMatch(new RegExp(`^${pool.size} pending transactions?\\n`))
    expect(poolText).toMatch(/^HASH +SENDER +NONCE +FEE +STATUS$/m)
    expect(poolText).toMatch(new RegExp(`^${hash} {2}${from} +${account.nonce} {2}0\\.00001 PC {2}ready$`, 'm'))

    // status sees the pool and the stopped miner
    const status = await cliJson<NodeStatusJson>(miner, ['status'])
    expect(status.mempool.size).toBe(pool.size)
    expect(status.mempool.bytes).toBeGreaterThanOrEqual(tx.bytes.length)
    expect(status.mining.active).toBe(false)

    // tx get while pending
    const pending = await cliJson<TxLookupJson>(miner, ['tx', 'get', hash])
    expect(pending).toMatchObject({ status: 'pending', tx: { hash, from, to, amount: '1250000000', fee: '1000' } })
    const pendingText = await cliText(miner, ['tx', 'get', hash])
    expect(pendingText).toContain('status    pending (in the mempool, not in a block yet)\n')
    expect(pendingText).toContain(`from      ${from}\n`)
    expect(pendingText).toContain('amount    12.5 PC\n')
    expect(pendingText).toContain('memo      "read-cli"\n')

    // mined: included, with its block and index
    await rpc(miner.rpc, 'miner_start')
    const included = await waitFor('the tx in a block', async () => {
      const lookup = await rpc<TxLookupJson>(miner.rpc, 'tx_get', { hash })
      return lookup.status === 'included' ? lookup : undefined
    })
    expect(await cliJson<TxLookupJson>(miner, ['tx', 'get', hash])).toEqual(included)
    const includedText = await cliText(miner, ['tx', 'get', hash.toUpperCase()])
    expect(includedText).toContain('status    included\n')
    expect(includedText).toContain(`block     ${included.blockHash}\n`)
    expect(includedText).toContain(`height    ${included.height}\n`)
    expect(includedText).toContain(`index     ${included.index}\n`)

    // its block lists it in the tx table
    const blockText = await cliText(miner, ['block', String(included.height)])
    expect(blockText).toContain(`hash        ${included.blockHash}\n`)
    expect(blockText).toMatch(/^HASH +FROM +TO +AMOUNT +FEE$/m)
    expect(blockText).toMatch(new RegExp(`^${hash} {2}${from} {2}${to} {2}12\\.5 PC {2}0\\.00001 PC$`, 'm'))
    const block = await cliJson<BlockJson>(follower, ['block', included.blockHash])
    expect(block.txs.map((t) => t.hash)).toContain(hash)
  })

  it('says the mempool is empty when it is', async () => {
    await waitFor('an empty mempool', async () => (await rpc<MempoolJson>(miner.rpc, 'mempool_list')).size === 0)
    expect(await cliText(miner, ['mempool'])).toBe('the mempool is empty\n')
  })
})

describe('errors and exit codes', () => {
  it('tx get: exit 1 for an unknown tx (still printing the result with --json), exit 2 for a bad hash', async () => {
    const [unknown, json, bad] = await Promise.all([
      cli(['tx', 'get', UNKNOWN_HASH, '--rpc', miner.rpc]),
      cli(['tx', 'get', UNKNOWN_HASH, '--json', '--rpc', miner.rpc]),
      cli(['tx', 'get', 'nothex', '--rpc', miner.rpc]),
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      `peerchain: no transaction with hash ${UNKNOWN_HASH}: it is neither in the mempool nor in the main chain\n`,
    )
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({ status: 'unknown' })

    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('peerchain: expected a transaction hash (64 hex digits), got "nothex"\n')
  })

  it('exits 1 with "no node at" from every command when nothing listens', async () => {
    const commands = [['status'], ['peers'], ['block', '1'], ['tx', 'get', UNKNOWN_HASH], ['mempool']]
    const results = await Promise.all(commands.map((args) => cli([...args, '--rpc', NO_NODE])))
    for (const [i, res] of results.entries()) {
      expect(res.code, commands[i]?.join(' ')).toBe(1)
      expect(res.stdout).toBe('')
      expect(res.stderr).toBe(`peerchain: no node at ${NO_NODE}: start one with \`peerchain start\` or pass --rpc\n`)
    }
  })

  it('exits 2 for usage errors: bad --rpc, bad --limit, unknown option, missing argument', async () => {
    const [badUrl, badLimit, unknownOption, missing] = await Promise.all([
      cli(['status', '--rpc', '127.0.0.1:8645']),
      cli(['mempool', '--limit', '5000', '--rpc', miner.rpc]),
      cli(['peers', '--jsn']),
      cli(['block']),
    ])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain('--rpc must be')
    expect(badLimit.code).toBe(2)
    expect(badLimit.stderr).toContain('--limit must be a whole number from 1 to 1000, got "5000"')
    expect(unknownOption.code).toBe(2)
    expect(unknownOption.stderr).toContain("unknown option '--jsn'")
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'height|hash'")
  })

  it('answers --help with exit 0 for every read command', async () => {
    const commands = [['status'], ['peers'], ['block'], ['tx', 'get'], ['mempool']]
    const results = await Promise.all(commands.map((args) => cli([...args, '--help'])))
    for (const res of results) {
      expect(res.code).toBe(0)
      expect(res.stdout).toContain('--json')
      expect(res.stdout).toContain('--rpc <url>')
      expect(res.stdout).toContain('--rpc-token-file <file>')
    }
  })
})

describe('a node that requires its API token', () => {
  let guarded: TestNode
  beforeAll(async () => {
    // Bound off loopback, a node refuses callers without the token it wrote to <datadir>/rpc.cookie.
    guarded = await net.start('guarded', { extra: ['--rpc-host', '0.0.0.0', '--log-level', 'info'] })
  }, 120_000)

  it('refuses without the token (exit 1, how to fix it) and answers with it from each source', async () => {
    const tokenFile = join(guarded.dataDir, 'rpc.cookie')
    const token = (await readFile(tokenFile, 'utf8')).trim()
    const [none, wrong, viaDatadir, viaFile, viaEnv] = await Promise.all([
      // A data directory with no cookie in it, so the default (~/.peerchain) cannot lend one.
      cli(['status', '--rpc', guarded.rpc], { PEERCHAIN_DATADIR: net.dir }),
      cli(['mempool', '--rpc', guarded.rpc], { PEERCHAIN_RPC_TOKEN: 'f'.repeat(64) }),
      cli(['status', '--json', '--rpc', guarded.rpc, '--datadir', guarded.dataDir]),
      cli(['peers', '--json', '--rpc', guarded.rpc, '--rpc-token-file', tokenFile]),
      cli(['block', '0', '--json', '--rpc', guarded.rpc], { PEERCHAIN_RPC_TOKEN: token }),
    ])
    const message =
      "peerchain: the node requires its API token: give the node's --datadir (its rpc.cookie is read from there), --rpc-token-file <datadir>/rpc.cookie, or set PEERCHAIN_RPC_TOKEN"
    expect(none.code).toBe(1)
    expect(none.stderr).toBe(`${message}\n`)
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toBe(`${message} (it refused the token from PEERCHAIN_RPC_TOKEN)\n`)

    expect(viaDatadir.code, viaDatadir.stderr).toBe(0)
    expect(JSON.parse(viaDatadir.stdout).peerId).toBe(guarded.peerId)
    expect(viaFile.code, viaFile.stderr).toBe(0)
    expect(JSON.parse(viaFile.stdout)).toEqual([])
    expect(viaEnv.code, viaEnv.stderr).toBe(0)
    expect(JSON.parse(viaEnv.stdout).height).toBe(0)
  })

  it('never writes its token to the log or stdout, and names the token file instead', async () => {
    const token = (await readFile(join(guarded.dataDir, 'rpc.cookie'), 'utf8')).trim()
    const log = await readFile(join(net.dir, 'guarded.log'), 'utf8')
    expect(log).toContain(join(guarded.dataDir, 'rpc.cookie'))
    expect(log).toContain(guarded.dashboard) // the "dashboard" line is there, without the token
    expect(log).not.toContain(token)
    expect(guarded.dashboard).not.toContain(token)
  })
})
