/**
 * The API token as bitcoind's cookie: a fresh random token written at every
 * start to `<datadir>/rpc.cookie` (mode 0600) and removed at a clean stop.
 * Whoever can read the data directory (the operator, the CLI, the dashboard
 * link `start` prints) can call the guarded methods; another local user or a
 * web page cannot. The one credential of the API, on every bind.
 *
 * Crash safety: the file is written whole to a temp file, synced, then
 * renamed over the old one, so a reader sees the old token or the new one,
 * never a torn line. A start never reads what a crashed one left: the stale
 * cookie, and any temp file, are simply replaced.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'

export const RPC_COOKIE_FILE = 'rpc.cookie'
const TOKEN_BYTES = 32

export const rpcCookiePath = (dataDir: string): string => join(dataDir, RPC_COOKIE_FILE)

/** Makes a new token and publishes it as `<dataDir>/rpc.cookie`; returns it. */
export async function writeRpcCookie(dataDir: string): Promise<string> {
  const token = randomBytes(TOKEN_BYTES).toString('hex')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = rpcCookiePath(dataDir)
  const tmp = `${path}.tmp`
  // A crash may have left a temp file, perhaps half written: 'wx' below must create it anew with mode 0600.
  await rm(tmp, { force: true })
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(`${token}\n`, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
  await syncDir(dataDir)
  return token
}

/**
 * Removes the cookie at a clean stop if it still holds `token`: a cookie that
 * another start has replaced since is not ours to remove.
 */
export async function removeRpcCookie(dataDir: string, token: string): Promise<void> {
  const path = rpcCookiePath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (text.trim() !== token) return
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}

/** Makes the rename durable: a power cut after start must not bring back the old cookie. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
