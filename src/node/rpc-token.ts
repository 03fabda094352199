/**
 * The API token: needed by every caller once the RPC server is bound off
 * loopback. Made once per data directory (`rpc.token`, mode 0600) so the CLI
 * and dashboard can read it there; a loopback-only node needs none.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'

export const RPC_TOKEN_FILE = 'rpc.token'
const TOKEN_RE = /^[0-9a-f]{64}$/

/** 127.0.0.0/8, ::1 and "localhost": only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** Reads `<dataDir>/rpc.token`, or makes one (32 random bytes, hex). A malformed file is an error, not replaced. */
export async function loadOrCreateRpcToken(dataDir: string): Promise<string> {
  const path = join(dataDir, RPC_TOKEN_FILE)
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (!TOKEN_RE.test(token)) {
      throw new Error(`${path} does not hold a token (64 hex digits): delete it to have a new one made`)
    }
    return token
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = randomBytes(32).toString('hex')
  await mkdir(dataDir, { recursive: true })
  await writeFile(`${path}.tmp`, `${token}\n`, { mode: 0o600 })
  await rename(`${path}.tmp`, path)
  return token
}
