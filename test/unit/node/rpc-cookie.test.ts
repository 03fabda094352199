/** The API token's cookie: fresh at every start, 0600, replaced whatever a crash left, removed only when it is ours. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { removeRpcCookie, rpcCookiePath, writeRpcCookie } from '../../../src/node/rpc-cookie.js'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peerchain-cookie-'))
  dirs.push(dir)
  return dir
}

describe('the RPC cookie', () => {
  it('is a new 64-hex-digit token at every start, mode 0600, with no temp file left', async () => {
    const dir = await tempDir()
    const first = await writeRpcCookie(dir)
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    expect((await readFile(rpcCookiePath(dir), 'utf8')).trim()).toBe(first)
    expect((await stat(rpcCookiePath(dir))).mode & 0o777).toBe(0o600)
    const second = await writeRpcCookie(dir)
    expect(second).not.toBe(first)
    expect((await readFile(rpcCookiePath(dir), 'utf8')).trim()).toBe(second)
    await expect(stat(`${rpcCookiePath(dir)}.tmp`)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('replaces whatever a crash left: a stale cookie, garbage, a half-written temp file with a loose mode', async () => {
    const dir = await tempDir()
    await writeFile(rpcCookiePath(dir), 'garbage that is no token\n\0\0', { mode: 0o644 })
    await writeFile(`${rpcCookiePath(dir)}.tmp`, 'half', { mode: 0o666 })
    const token = await writeRpcCookie(dir)
    expect((await readFile(rpcCookiePath(dir), 'utf8')).trim()).toBe(token)
    // rename() put the new file in place: the old one's mode went with it.
    expect((await stat(rpcCookiePath(dir))).mode & 0o777).toBe(0o600)
  })

  it('makes the data directory when there is none yet', async () => {
    const dir = join(await tempDir(), 'fresh', 'datadir')
    const token = await writeRpcCookie(dir)
    expect((await readFile(rpcCookiePath(dir), 'utf8')).trim()).toBe(token)
  })

  it('is removed at a clean stop only while it holds our token', async () => {
    const dir = await tempDir()
    const ours = await writeRpcCookie(dir)
    await removeRpcCookie(dir, ours)
    await expect(stat(rpcCookiePath(dir))).rejects.toMatchObject({ code: 'ENOENT' })
    await removeRpcCookie(dir, ours) // already gone: nothing to do, no error
    const other = await writeRpcCookie(dir)
    await removeRpcCookie(dir, ours)
    expect((await readFile(rpcCookiePath(dir), 'utf8')).trim()).toBe(other)
  })
})
