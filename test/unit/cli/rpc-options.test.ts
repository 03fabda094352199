import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { RpcError, RpcTransportError } from '../../../src/api/client.js'
import { RpcCode } from '../../../src/api/errors.js'
import { UsageError } from '../../../src/cli/errors.js'
import {
  connect,
  DEFAULT_RPC_URL,
  describeFailure,
  parseRpcUrl,
  type RpcFlags,
  resolveRpcToken,
  rpcOptions,
  run,
  TOKEN_REQUIRED_MESSAGE,
} from '../../../src/cli/rpc-options.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-rpc-options-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  process.exitCode = undefined
})

/** Parses `args` for a command with `--datadir` (default ".peerchain") and the RPC options; resolves with its flags. */
async function parse(args: string[]): Promise<RpcFlags & { datadir: string }> {
  let flags: (RpcFlags & { datadir: string }) | undefined
  const program = new Command().exitOverride()
  rpcOptions(program.command('probe').option('--datadir <dir>', 'data directory', '.peerchain')).action((f) => {
    flags = f
  })
  await program.parseAsync(['probe', ...args], { from: 'user' })
  return flags as RpcFlags & { datadir: string }
}

describe('--rpc', () => {
  it('is --rpc, else $PEERCHAIN_RPC, else the local default', async () => {
    vi.stubEnv('PEERCHAIN_RPC', undefined)
    expect((await parse([])).rpc).toBe(DEFAULT_RPC_URL)
    vi.stubEnv('PEERCHAIN_RPC', 'http://10.0.0.5:8645/')
    expect((await parse([])).rpc).toBe('http://10.0.0.5:8645/')
    expect((await parse(['--rpc', 'http://127.0.0.1:9999/'])).rpc).toBe('http://127.0.0.1:9999/')
  })

  it('must be an http(s) URL', () => {
    expect(parseRpcUrl('http://127.0.0.1:8645')).toBe('http://127.0.0.1:8645/')
    expect(parseRpcUrl('https://node.example/rpc')).toBe('https://node.example/rpc')
    expect(() => parseRpcUrl('127.0.0.1:8645')).toThrow(UsageError)
    expect(() => parseRpcUrl('localhost')).toThrow(
      /--rpc must be a URL like http:\/\/127\.0\.0\.1:8645\/, got "localhost"/,
    )
    expect(() => parseRpcUrl('ws://127.0.0.1:8645/')).toThrow(/http:\/\/ or https:\/\//)
  })
})

describe('the API token', () => {
  it('is --rpc-token-file, else $PEERCHAIN_RPC_TOKEN, else the cookie <datadir>/rpc.cookie', async () => {
    const file = join(dir, 'given.token')
    await writeFile(file, 'from-file\n')
    const datadir = join(dir, 'node')
    await mkdir(datadir)
    await writeFile(join(datadir, 'rpc.cookie'), 'from-datadir')
    await writeFile(join(datadir, 'rpc.token'), 'the-old-token-file-is-not-read')
    const env = { PEERCHAIN_RPC_TOKEN: 'from-env' }

    expect(await resolveRpcToken({ rpcTokenFile: file, rpcTokenDatadir: datadir }, env)).toEqual({
      token: 'from-file',
      source: file,
    })
    expect(await resolveRpcToken({ rpcTokenDatadir: datadir }, env)).toEqual({
      token: 'from-env',
      source: 'PEERCHAIN_RPC_TOKEN',
    })
    expect(await resolveRpcToken({ rpcTokenDatadir: datadir }, {})).toEqual({
      token: 'from-datadir',
      source: join(datadir, 'rpc.cookie'),
    })
    expect(await resolveRpcToken({}, {})).toBeUndefined()
    // the data directory's token goes to a node on this machine only
    expect(await resolveRpcToken({ rpcTokenDatadir: datadir }, {}, 'http://[::1]:8645/')).toMatchObject({
      token: 'from-datadir',
    })
    expect(await resolveRpcToken({ rpcTokenDatadir: datadir }, {}, 'http://node.example:8645/')).toBeUndefined()
    // a data directory without a token file: no token, no error
    expect(await resolveRpcToken({ rpcTokenDatadir: dir }, {})).toBeUndefined()
  })

  it('takes the cookie of --datadir, else of $PEERCHAIN_DATADIR or ~/.peerchain, with no flag needed', async () => {
    vi.stubEnv('PEERCHAIN_DATADIR', '/srv/from-env')
    try {
      // A command without a --datadir default of its own falls back to where every command looks.
      const program = new Command().exitOverride()
      let flags: RpcFlags | undefined
      rpcOptions(program.command('bare').option('--datadir <dir>')).action((f) => {
        flags = f
      })
      await program.parseAsync(['bare'], { from: 'user' })
      expect(flags?.rpcTokenDatadir).toBe('/srv/from-env')
    } finally {
      vi.unstubAllEnvs()
    }
    expect((await parse([])).rpcTokenDatadir).toBe(join(process.cwd(), '.peerchain'))
    expect((await parse(['--datadir', '/srv/node'])).rpcTokenDatadir).toBe('/srv/node')
    expect((await parse(['--rpc-token-file', '/t'])).rpcTokenFile).toBe('/t')
  })

  it('refuses a named token file that cannot be read or holds no token', async () => {
    await expect(resolveRpcToken({ rpcTokenFile: join(dir, 'missing') }, {})).rejects.toThrow(
      /cannot read the API token file .*missing/,
    )
    const empty = join(dir, 'empty.token')
    await writeFile(empty, '\n')
    await expect(resolveRpcToken({ rpcTokenFile: empty }, {})).rejects.toThrow(UsageError)
    const twoWords = join(dir, 'words.token')
    await writeFile(twoWords, 'not a token')
    await expect(resolveRpcToken({ rpcTokenFile: twoWords }, {})).rejects.toThrow(/does not hold an API token/)
  })
})

describe('describeFailure', () => {
  it('maps usage errors to 2 and node failures to 1 with the node URL', () => {
    expect(describeFailure(new UsageError('bad --limit'))).toEqual({ message: 'bad --limit', exitCode: 2 })
    const unreachable = new RpcTransportError('fetch failed', { cause: new Error('ECONNREFUSED') })
    expect(describeFailure(unreachable, 'http://127.0.0.1:1/')).toEqual({
      message: 'no node at http://127.0.0.1:1/: start one with `peerchain start` or pass --rpc',
      exitCode: 1,
    })
    const unauthorized = new RpcError(RpcCode.UNAUTHORIZED, 'unauthorized')
    expect(describeFailure(unauthorized)).toEqual({ message: TOKEN_REQUIRED_MESSAGE, exitCode: 1 })
    expect(describeFailure(unauthorized, undefined, { token: 't', source: '/srv/rpc.token' }).message).toBe(
      `${TOKEN_REQUIRED_MESSAGE} (it refused the token from /srv/rpc.token)`,
    )
    expect(describeFailure(new RpcTransportError('x at y: HTTP 401 with a body that is not JSON')).message).toBe(
      TOKEN_REQUIRED_MESSAGE,
    )
    expect(describeFailure(new RpcError(-32601, 'method not found: node_status'))).toEqual({
      message: 'method not found: node_status',
      exitCode: 1,
    })
  })
})

/** A stand-in node: answers every request with `respond`, and records the headers it got. */
class FakeNode {
  readonly headers: IncomingHttpHeaders[] = []
  private server!: Server
  url = ''

  constructor(private readonly respond: (auth: string | undefined) => { status: number; body: string }) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.headers.push(req.headers)
      req.resume()
      req.on('end', () => {
        const { status, body } = this.respond(req.headers.authorization)
        res.writeHead(status, { 'content-type': 'application/json' }).end(body)
      })
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

const refusal = JSON.stringify({
  jsonrpc: '2.0',
  id: null,
  error: { code: RpcCode.UNAUTHORIZED, message: 'unauthorized: this node requires its API token' },
})
const ok = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { peerId: 'p' } })

/** Runs `node_info` against `url` through `run`, as a command would, and returns what it printed and the exit code. */
async function runNodeInfo(flags: RpcFlags): Promise<{ stderr: string; exitCode: unknown }> {
  const errors: string[] = []
  vi.spyOn(console, 'error').mockImplementation((line: string) => {
    errors.push(line)
  })
  // commander calls an action with the flags, then the command
  await run(async (f: RpcFlags, _cmd: Command) => {
    await (await connect(f)).call('node_info')
  })(flags, new Command())
  return { stderr: errors.join('\n'), exitCode: process.exitCode }
}

describe('a node that requires a token', () => {
  it('gets the token as a Bearer header and answers', async () => {
    const node = new FakeNode((auth) =>
      auth === 'Bearer s3cret' ? { status: 200, body: ok } : { status: 401, body: refusal },
    )
    await node.start()
    try {
      vi.stubEnv('PEERCHAIN_RPC_TOKEN', 's3cret')
      const client = await connect({ rpc: node.url })
      expect(await client.call('node_info')).toEqual({ peerId: 'p' })
      expect(node.headers[0]?.authorization).toBe('Bearer s3cret')
    } finally {
      await node.stop()
    }
  })

  it.each([
    ['a JSON-RPC error', refusal],
    ['a body that is not JSON', 'Unauthorized'],
  ])('turns a 401 with %s into the token message, exit 1', async (_what, body) => {
    const node = new FakeNode(() => ({ status: 401, body }))
    await node.start()
    try {
      vi.stubEnv('PEERCHAIN_RPC_TOKEN', undefined)
      expect(await runNodeInfo({ rpc: node.url })).toEqual({
        stderr: `peerchain: ${TOKEN_REQUIRED_MESSAGE}`,
        exitCode: 1,
      })
      expect(TOKEN_REQUIRED_MESSAGE).toBe(
        "the node requires its API token: give the node's --datadir (its rpc.cookie is read from there), --rpc-token-file <datadir>/rpc.cookie, or set PEERCHAIN_RPC_TOKEN",
      )
    } finally {
      await node.stop()
    }
  })

  it('says which token it refused', async () => {
    const node = new FakeNode(() => ({ status: 401, body: refusal }))
    await node.start()
    try {
      vi.stubEnv('PEERCHAIN_RPC_TOKEN', 'wrong')
      const { stderr, exitCode } = await runNodeInfo({ rpc: node.url })
      expect(stderr).toBe(`peerchain: ${TOKEN_REQUIRED_MESSAGE} (it refused the token from PEERCHAIN_RPC_TOKEN)`)
      expect(exitCode).toBe(1)
    } finally {
      await node.stop()
    }
  })

  it('leaves other JSON-RPC errors as they are', async () => {
    const node = new FakeNode(() => ({
      status: 200,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'method not found: node_info' } }),
    }))
    await node.start()
    try {
      expect(await runNodeInfo({ rpc: node.url })).toEqual({
        stderr: 'peerchain: method not found: node_info',
        exitCode: 1,
      })
    } finally {
      await node.stop()
    }
  })
})

describe('run', () => {
  it('exits 2 for a bad --rpc before any request, and 1 with "no node at" when nothing answers', async () => {
    expect(await runNodeInfo({ rpc: 'not a url' })).toEqual({
      stderr: 'peerchain: --rpc must be a URL like http://127.0.0.1:8645/, got "not a url"',
      exitCode: 2,
    })
    expect(await runNodeInfo({ rpc: 'http://127.0.0.1:1/' })).toEqual({
      stderr: 'peerchain: no node at http://127.0.0.1:1/: start one with `peerchain start` or pass --rpc',
      exitCode: 1,
    })
  })
})
