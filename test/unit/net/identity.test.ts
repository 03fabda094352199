import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOrCreateNodeKey, NODE_KEY_FILE } from '../../../src/net/identity.js'
import { noLog } from './helpers.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('node identity', () => {
  it('creates an Ed25519 key once (mode 0600) and loads the same one after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-key-'))
    dirs.push(dir)
    const key = await loadOrCreateNodeKey(dir, noLog)
    expect(key.type).toBe('Ed25519')
    expect((await stat(join(dir, NODE_KEY_FILE))).mode & 0o777).toBe(0o600)
    const again = await loadOrCreateNodeKey(dir, noLog)
    expect(again.publicKey.toString()).toBe(key.publicKey.toString())
  })

  it('tightens a key file others could read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerchain-key-'))
    dirs.push(dir)
    await loadOrCreateNodeKey(dir, noLog)
    await chmod(join(dir, NODE_KEY_FILE), 0o644)
    await loadOrCreateNodeKey(dir, noLog)
    expect((await stat(join(dir, NODE_KEY_FILE))).mode & 0o777).toBe(0o600)
  })

  it('makes a fresh key every time without a data dir', async () => {
    const a = await loadOrCreateNodeKey(undefined, noLog)
    const b = await loadOrCreateNodeKey(undefined, noLog)
    expect(a.publicKey.toString()).not.toBe(b.publicKey.toString())
  })
})
