import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Writes `bytes` to `path` so that a crash leaves either the old file or the
 * new one, never a torn mix: write a temp file beside it, fsync, rename over.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    const handle = await open(tmp, 'w', mode)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** Reads a file, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * A JSON document kept in one file. Saves are serialized so that a late save
 * never lands under an earlier one; without a path it only lives in memory.
 */
export class JsonFile<T> {
  private pending: Promise<void> = Promise.resolve()

  constructor(private readonly path: string | undefined) {}

  async load(): Promise<unknown> {
    if (this.path === undefined) return undefined
    const bytes = await readFileIfExists(this.path)
    if (bytes === undefined) return undefined
    return JSON.parse(bytes.toString('utf8')) as unknown
  }

  save(value: T): Promise<void> {
    const path = this.path
    if (path === undefined) return Promise.resolve()
    const text = `${JSON.stringify(value, null, 2)}\n`
    const next = this.pending.then(() => writeFileAtomic(path, text))
    // a failed save must not poison the ones after it; the caller still sees the failure
    this.pending = next.catch(() => {})
    return next
  }

  /** Resolves once every save started so far has finished. */
  flushed(): Promise<void> {
    return this.pending
  }
}
