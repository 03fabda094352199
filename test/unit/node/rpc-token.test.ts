import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isLoopbackHost, loadOrCreateRpcToken } from '../../../src/node/rpc-token.js'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

describe('the API token', () => {
  it('tells loopback binds from the rest', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', '::1', '[::1]', 'localhost']) expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1', '127.example.com']) {
      expect(isLoopbackHost(host)).toBe(false)
    }
  })

  it('is made once (mode 0600) and read back the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-token-'))
    dirs.push(dir)
    const token = await loadOrCreateRpcToken(dir)
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect((await stat(join(dir, 'rpc.token'))).mode & 0o777).toBe(0o600)
    expect(await loadOrCreateRpcToken(dir)).toBe(token)
    expect((await readFile(join(dir, 'rpc.token'), 'utf8')).trim()).toBe(token)
  })

  it('refuses a malformed token file rather than replacing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-token-'))
    dirs.push(dir)
    await writeFile(join(dir, 'rpc.token'), 'secret')
    await expect(loadOrCreateRpcToken(dir)).rejects.toThrow(/64 hex digits/)
    expect(await readFile(join(dir, 'rpc.token'), 'utf8')).toBe('secret')
  })
})
