import { chmod, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readFileIfExists, writeFileAtomic } from './json-file.js'
import type { NetworkLog } from './options.js'

export const NODE_KEY_FILE = 'node-key'

/**
 * The node's libp2p identity: an Ed25519 key kept in `<dataDir>/node-key`
 * (protobuf-marshalled, mode 0600), so the peer id survives restarts.
 * Without a dataDir the key is fresh and forgotten on exit.
 */
export async function loadOrCreateNodeKey(dataDir: string | undefined, log: NetworkLog): Promise<PrivateKey> {
  if (dataDir === undefined) return generateKeyPair('Ed25519')
  const path = join(dataDir, NODE_KEY_FILE)
  const bytes = await readFileIfExists(path)
  if (bytes !== undefined) {
    const key = privateKeyFromProtobuf(bytes)
    if (key.type !== 'Ed25519') throw new Error(`${path} holds a ${key.type} key, expected Ed25519`)
    const { mode } = await stat(path)
    if ((mode & 0o077) !== 0) {
      log('net: node key was readable by others; tightening to 0600', { path })
      await chmod(path, 0o600)
    }
    return key
  }
  const key = await generateKeyPair('Ed25519')
  await writeFileAtomic(path, privateKeyToProtobuf(key), 0o600)
  log('net: created node key', { path })
  return key
}
