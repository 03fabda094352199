import { chmod, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readFileIfExists, writeFileAtomic } from './json-file.js'
import type { NetworkLog } from './options.js'

export const NODE_KEY_FILE = 'node-key'
/** A protobuf Ed25519 key is 68 bytes; anything much larger is not one. */
export const NODE_KEY_BYTES_MAX = 1_024

/** The node key file holds no Ed25519 key we can read. */
export class NodeKeyError extends Error {
  override readonly name = 'NodeKeyError'
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}; move it aside to start with a new peer id`)
  }
}

/** Decodes the node key file's bytes; throws NodeKeyError for anything but a protobuf Ed25519 private key. Pure: fuzzed. */
export function decodeNodeKey(bytes: Uint8Array, path: string): PrivateKey {
  if (bytes.byteLength > NODE_KEY_BYTES_MAX) throw new NodeKeyError(path, `larger than ${NODE_KEY_BYTES_MAX} bytes`)
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new NodeKeyError(path, `not a private key (${(err as Error).message})`)
  }
  if (key.type !== 'Ed25519') throw new NodeKeyError(path, `holds a ${key.type} key, expected Ed25519`)
  return key
}

/**
 * The node's libp2p identity: an Ed25519 key kept in `<dataDir>/node-key`
 * (protobuf-marshalled, mode 0600), so the peer id survives restarts.
 * Without a dataDir the key is fresh and forgotten on exit.
 */
export async function loadOrCreateNodeKey(dataDir: string | undefined, log: NetworkLog): Promise<PrivateKey> {
  if (dataDir === undefined) return generateKeyPair('Ed25519')
  const path = join(dataDir, NODE_KEY_FILE)
  const bytes = await readFileIfExists(path, NODE_KEY_BYTES_MAX)
  if (bytes !== undefined) {
    const key = decodeNodeKey(bytes, path)
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
