/**
 * The files_* RPC methods over a real FilesService behind a real RPC server:
 * params checked, FilesErrors answered as FILES_ERROR with their code, the
 * upload cap, and the guard (writes need the API token, reads do not).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RpcClient, RpcError } from '../../../src/api/client.js'
import { RpcCode } from '../../../src/api/errors.js'
import { withFilesMethods } from '../../../src/api/files-methods.js'
import { isPrivileged } from '../../../src/api/method-classes.js'
import { RPC_METHODS } from '../../../src/api/methods.js'
import { FileBlockstore } from '../../../src/files/blockstore.js'
import { UPLOAD_BYTES_MAX } from '../../../src/files/limits.js'
import { RootsIndex } from '../../../src/files/roots-index.js'
import { FilesService } from '../../../src/files/service.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { ManualClock } from '../../../src/util/clock.js'
import { onCleanup, startApi } from '../api/harness.js'
import { ampleDisk, patternBytes } from './fixtures.js'

const TOKEN = 'files-test-token'
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-files-rpc-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function setup() {
  const blockstore = await FileBlockstore.open(join(dir, 'blocks'), { diskFreeBytes: ampleDisk })
  const index = await RootsIndex.open(new MemoryStore())
  const files = new FilesService({ blockstore, index, clock: new ManualClock(5000) })
  onCleanup(async () => {
    await files.stop()
    await blockstore.close()
    await index.close()
  })
  const { server } = await startApi({ methods: withFilesMethods(RPC_METHODS, files), token: TOKEN })
  return {
    client: new RpcClient(server.url, { token: TOKEN }),
    anonymous: new RpcClient(server.url),
  }
}

async function rpcError(call: Promise<unknown>): Promise<RpcError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(RpcError)
  return err as RpcError
}

describe('files_* methods', () => {
  it('guard what writes the disk or downloads, and leave stat, list and pins open', () => {
    for (const m of ['files_add', 'files_get', 'files_pin', 'files_unpin', 'files_gc', 'files_export']) {
      expect(isPrivileged(m), m).toBe(true)
    }
    for (const m of ['files_progress', 'files_stat', 'files_list', 'files_pins']) expect(isPrivileged(m), m).toBe(false)
  })

  it('add a path or base64 bytes; stat, list and pins show the root', async () => {
    const { client, anonymous } = await setup()
    const path = join(dir, 'a.bin')
    await writeFile(path, patternBytes(300_000))
    const added = (await client.call('files_add', { path })) as { cid: string; sizeBytes: number }
    expect(added).toMatchObject({ name: 'a.bin', sizeBytes: 300_000, pinned: true, kind: 'file' })
    const uploaded = (await client.call('files_add', {
      data: Buffer.from('hello\n').toString('base64'),
      name: 'hello.txt',
    })) as { cid: string }
    const stat = await anonymous.call('files_stat', { cid: added.cid })
    expect(stat).toMatchObject({ cid: added.cid, complete: true, blocks: 3, sizeBytes: 300_000, pinned: true })
    const list = (await anonymous.call('files_list')) as Array<{ cid: string }>
    expect(list.map((r) => r.cid).sort()).toEqual([added.cid, uploaded.cid].sort())
    expect(((await anonymous.call('files_pins')) as unknown[]).length).toBe(2)
    expect(await anonymous.call('files_progress', { cid: added.cid })).toBeNull()
  })

  it('answer a file-store refusal as FILES_ERROR with its code, and bad params as INVALID_PARAMS', async () => {
    const { client } = await setup()
    const cbor = await rpcError(
      client.call('files_stat', { cid: 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }),
    )
    expect(cbor.code).toBe(RpcCode.FILES_ERROR)
    expect(cbor.data).toMatchObject({ code: 'UNKNOWN_CODEC' })
    expect((cbor.data as { reason: string }).reason).toMatch(/only raw \(0x55\) and dag-pb \(0x70\)/)
    const missing = await rpcError(client.call('files_add', { path: join(dir, 'nope') }))
    expect(missing.data).toMatchObject({ code: 'BAD_PATH' })
    const noDownloader = await rpcError(
      client.call('files_get', { cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }),
    )
    expect(noDownloader.data).toMatchObject({ code: 'DOWNLOAD_FAILED' })
    const relative = await rpcError(client.call('files_add', { path: 'a.bin' }))
    expect(relative.code).toBe(RpcCode.INVALID_PARAMS)
    const both = await rpcError(client.call('files_add', { path: '/a', data: 'AAAA' }))
    expect(both.message).toMatch(/exactly one of "path" and "data"/)
    const tooBig = Buffer.from(patternBytes(UPLOAD_BYTES_MAX + 3)).toString('base64')
    // ~700 KB of base64: under the API's 1 MiB body cap, so the method's own cap refuses it.
    const big = await rpcError(client.call('files_add', { data: tooBig }))
    expect(big.code).toBe(RpcCode.INVALID_PARAMS)
    expect(big.data).toMatchObject({ param: 'data' })
    // A typo the typed client would not let through: sent as any caller could.
    const untyped = client.call.bind(client) as (method: string, params: unknown) => Promise<unknown>
    const typo = await rpcError(untyped('files_stat', { cdi: 'x' }))
    expect(typo.code).toBe(RpcCode.INVALID_PARAMS)
  })

  it('refuse files_add without the token', async () => {
    const { anonymous } = await setup()
    const err = await rpcError(anonymous.call('files_add', { data: 'AAAA' }))
    expect(err.code).toBe(RpcCode.UNAUTHORIZED)
  })
})
