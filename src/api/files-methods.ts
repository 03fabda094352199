/**
 * The file methods (`files_*`), added to the method table on a node that
 * runs the file store: add (a path on the node, or base64 bytes up to
 * UPLOAD_BYTES_MAX), get (starts or joins a download), progress (how a
 * download stands or ended, without starting one), stat, list, pins,
 * pin, unpin, gc and export. Each validates its params and makes one call;
 * a `FilesError` becomes FILES_ERROR (-32050) with its code in `data.code`.
 * Those that write to the node's disk or start a download need the API
 * token (method-classes.ts); progress, stat, list and pins are reads.
 */
import { isAbsolute } from 'node:path'
import type {
  FileAddedJson,
  FileDownloadJson,
  FileExportJson,
  FileGcJson,
  FileRootJson,
  FileStatJson,
} from '../files/json.js'
import { UPLOAD_BYTES_MAX } from '../files/limits.js'
import { RpcCode, RpcError } from './errors.js'
import type { MethodTable, RpcHandler } from './methods.js'
import { type Check, CheckFailed, named, type Params } from './params.js'

/** What the file methods call: the node's FilesService. */
export interface FilesApi {
  add(path: string): Promise<FileAddedJson>
  addBytes(bytes: Uint8Array, name: string): Promise<FileAddedJson>
  get(cid: string): Promise<FileDownloadJson>
  /** The download of `cid`, running or finished; undefined when the node knows none. */
  download(cid: string): FileDownloadJson | undefined
  stat(cid: string): Promise<FileStatJson>
  list(): FileRootJson[]
  pins(): FileRootJson[]
  pin(cid: string): Promise<FileRootJson>
  unpin(cid: string): Promise<FileRootJson>
  gc(): Promise<FileGcJson>
  export(cid: string, path: string): Promise<FileExportJson>
}

const PATH_CHARS_MAX = 4096
const NAME_CHARS_MAX = 255
const CID_CHARS_MAX = 512
/** base64 of UPLOAD_BYTES_MAX bytes. */
const UPLOAD_BASE64_CHARS_MAX = Math.ceil(UPLOAD_BYTES_MAX / 3) * 4

const CID_EXPECTED = 'a CID: CIDv1 ("bafy…", "bafk…") or CIDv0 ("Qm…")'
const cid: Check<string> = named(CID_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > CID_CHARS_MAX || !/^[0-9A-Za-z]+$/.test(v)) {
    throw new CheckFailed(CID_EXPECTED)
  }
  return v
})

const PATH_EXPECTED = `an absolute path on the node's machine (at most ${PATH_CHARS_MAX} characters)`
const absolutePath: Check<string> = named(PATH_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > PATH_CHARS_MAX || !isAbsolute(v) || v.includes('\0')) {
    throw new CheckFailed(PATH_EXPECTED)
  }
  return v
})

const NAME_EXPECTED = `a file name: 1 to ${NAME_CHARS_MAX} characters, no "/"`
const fileName: Check<string> = named(NAME_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > NAME_CHARS_MAX || /[/\0]/.test(v)) {
    throw new CheckFailed(NAME_EXPECTED)
  }
  return v
})

const DATA_EXPECTED = `the file's bytes in base64 (at most ${UPLOAD_BYTES_MAX} bytes; larger files: "path")`
const uploadData: Check<Uint8Array> = named(DATA_EXPECTED, (v) => {
  if (typeof v !== 'string' || v.length > UPLOAD_BASE64_CHARS_MAX || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new CheckFailed(DATA_EXPECTED)
  }
  if (v.length % 4 !== 0) throw new CheckFailed(DATA_EXPECTED, 'base64 comes in groups of 4 characters')
  return new Uint8Array(Buffer.from(v, 'base64'))
})

/** A FilesError as the RPC error the client sees; anything else passes on (an internal error). */
function filesFailure(err: unknown): unknown {
  const code = (err as { name?: string; code?: unknown })?.code
  if ((err as Error)?.name === 'FilesError' && typeof code === 'string') {
    const message = (err as Error).message
    const reason = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message
    return new RpcError(RpcCode.FILES_ERROR, 'file store refused', { code, reason })
  }
  return err
}

function filesMethod(call: (p: Params, files: FilesApi) => unknown, files: FilesApi): RpcHandler {
  return async (p) => {
    try {
      return await call(p, files)
    } catch (err) {
      throw filesFailure(err)
    }
  }
}

function oneCid(p: Params): string {
  const value = p.required('cid', cid)
  p.end()
  return value
}

/** `methods` plus the `files_*` methods over `files`. */
export function withFilesMethods(methods: MethodTable, files: FilesApi): MethodTable {
  const table: Array<[string, (p: Params, files: FilesApi) => unknown]> = [
    [
      'files_add',
      (p, f) => {
        const path = p.optional('path', absolutePath)
        const data = p.optional('data', uploadData)
        const name = p.optional('name', fileName)
        p.end()
        if ((path === undefined) === (data === undefined)) {
          throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: give exactly one of "path" and "data"', {
            param: 'path',
            expected: `${PATH_EXPECTED}, or "data": ${DATA_EXPECTED}`,
          })
        }
        return path !== undefined ? f.add(path) : f.addBytes(data as Uint8Array, name ?? 'upload')
      },
    ],
    ['files_get', (p, f) => f.get(oneCid(p))],
    ['files_progress', (p, f) => f.download(oneCid(p)) ?? null],
    ['files_stat', (p, f) => f.stat(oneCid(p))],
    [
      'files_list',
      (p, f) => {
        p.end()
        return f.list()
      },
    ],
    [
      'files_pins',
      (p, f) => {
        p.end()
        return f.pins()
      },
    ],
    ['files_pin', (p, f) => f.pin(oneCid(p))],
    ['files_unpin', (p, f) => f.unpin(oneCid(p))],
    [
      'files_gc',
      (p, f) => {
        p.end()
        return f.gc()
      },
    ],
    [
      'files_export',
      (p, f) => {
        const root = p.required('cid', cid)
        const path = p.required('path', absolutePath)
        p.end()
        return f.export(root, path)
      },
    ],
  ]
  return new Map([...methods, ...table.map(([name, call]): [string, RpcHandler] => [name, filesMethod(call, files)])])
}
