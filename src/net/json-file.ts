import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
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

/** Our files nest 4 levels; V8's parser takes ~200 ms on a megabyte of `[[[[…`, so deeper files are refused before it runs. */
export const JSON_DEPTH_MAX = 32

/** The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count). */
function nestingDepth(bytes: Uint8Array): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (inString) {
      // a backslash escapes the next byte
      if (b === 0x5c) i++
      else if (b === 0x22) inString = false
    } else if (b === 0x22) {
      inString = true
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > deepest) deepest = depth
    } else if (b === 0x5d || b === 0x7d) {
      depth--
    }
  }
  return deepest
}

/** Parses a JSON file's bytes; throws JsonFileError when they are too many or not JSON. */
export function parseJsonFile(path: string, bytes: Uint8Array, bytesMax = JSON_FILE_BYTES_MAX): unknown {
  if (bytes.byteLength > bytesMax) throw new JsonFileError(path, `larger than ${bytesMax} bytes`)
  if (nestingDepth(bytes) > JSON_DEPTH_MAX) throw new JsonFileError(path, `nested deeper than ${JSON_DEPTH_MAX} levels`)
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown
  } catch (err) {
    throw new JsonFileError(path, `not JSON (${(err as Error).message})`)
  }
}

/**
 * Reads a file, or undefined when it does not exist. With `bytesMax`, a larger
 * file is refused (JsonFileError) before it is read into memory.
 */
export async function readFileIfExists(path: string, bytesMax?: number): Promise<Buffer | undefined> {
  try {
    if (bytesMax !== undefined && (await stat(path)).size > bytesMax) {
      throw new JsonFileError(path, `larger than ${bytesMax} bytes`)
    }
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Largest JSON file we read (bans, known peers): above what their caps let us write (about 400 KiB and 800 KiB). */
export const JSON_FILE_BYTES_MAX = 1024 * 1024

/** A file of ours that cannot be read as what it should hold: too large, not JSON, or the wrong shape. */
export class JsonFileError extends Error {
  override readonly name = 'JsonFileError'
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`)
  }
}

/**
 * A JSON document kept in one file. Saves are serialized so that a late save
 * never lands under an earlier one; without a path it only lives in memory.
 */
export class JsonFile<T> {
  private pending: Promise<void> = Promise.resolve()

  constructor(
    readonly path: string | undefined,
    private readonly bytesMax = JSON_FILE_BYTES_MAX,
  ) {}

  /** The parsed document, or undefined when there is no file; throws JsonFileError when it is not JSON. */
  async load(): Promise<unknown> {
    if (this.path === undefined) return undefined
    const bytes = await readFileIfExists(this.path, this.bytesMax)
    if (bytes === undefined) return undefined
    return parseJsonFile(this.path, bytes, this.bytesMax)
  }

  /** A JsonFileError about this file (for its owner's shape checks). */
  error(reason: string): JsonFileError {
    return new JsonFileError(this.path ?? '(memory)', reason)
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
