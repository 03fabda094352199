/**
 * Files: the roots the node shares (`files_list`, refreshed every few
 * seconds) and downloads started from this card (`files_get` with a CID),
 * whose progress is polled live while they run (`files_progress`, which
 * only reads): bytes, blocks, providers, rate and ETA, then how each ended.
 */
import type { TargetedSubmitEvent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { RpcCode } from '../../src/api/errors.js'
import type { FileDownloadJson, FileRootJson } from '../../src/files/json.js'
import { Card, Field } from './card.js'
import { downloadFraction, isCidText, unreadable, upsertDownload } from './files-progress.js'
import { formatBytes, formatDuration, shortHash } from './format.js'
import { errorText, type NodeRpc, RpcError } from './rpc.js'

/** How often the shared list is read again. */
const LIST_INTERVAL_MS = 3_000
/** How often a running download's progress is read. */
const PROGRESS_INTERVAL_MS = 500

export function FilesCard({ rpc }: { rpc: NodeRpc }) {
  const [roots, setRoots] = useState<FileRootJson[]>()
  const [listError, setListError] = useState<string>()
  const [downloads, setDownloads] = useState<FileDownloadJson[]>([])
  const [target, setTarget] = useState('')
  const [inputError, setInputError] = useState<string>()

  useEffect(() => {
    let live = true
    const read = async () => {
      try {
        const list = await rpc.call('files_list')
        if (!live) return
        setRoots(list)
        setListError(undefined)
      } catch (err) {
        if (!live) return
        const absent = err instanceof RpcError && err.code === RpcCode.METHOD_NOT_FOUND
        setListError(absent ? 'this node runs no file store' : errorText(err))
      }
    }
    void read()
    const timer = setInterval(() => void read(), LIST_INTERVAL_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [rpc])

  // the poll restarts only when the set of running downloads changes
  const runningKey = downloads
    .filter((d) => d.state === 'running')
    .map((d) => d.cid)
    .join(' ')
  useEffect(() => {
    if (runningKey === '') return
    const running = runningKey.split(' ')
    let live = true
    const poll = async () => {
      for (const cid of running) {
        try {
          // files_progress only reads: a finished download is reported, never started again
          const status = await rpc.call('files_progress', { cid })
          if (!live) continue
          setDownloads((all) =>
            upsertDownload(all, status ?? unreadable(all, cid, 'the node no longer knows this download')),
          )
        } catch (err) {
          if (live) setDownloads((all) => upsertDownload(all, unreadable(all, cid, errorText(err))))
        }
      }
    }
    const timer = setInterval(() => void poll(), PROGRESS_INTERVAL_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [rpc, runningKey])

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault()
    const cid = target.trim()
    if (!isCidText(cid)) {
      setInputError('not a CID (a CIDv1 in base32 starts with "b", a CIDv0 with "Qm")')
      return
    }
    setInputError(undefined)
    try {
      const status = await rpc.call('files_get', { cid })
      setDownloads((all) => upsertDownload(all, status))
      setTarget('')
    } catch (err) {
      setInputError(errorText(err))
    }
  }

  return (
    <Card title="Files" testid="files-card" error={listError} span="full">
      <form class="inline" data-testid="files-get-form" onSubmit={submit}>
        <input
          data-testid="files-get-input"
          placeholder="CID to download"
          value={target}
          onInput={(e) => setTarget(e.currentTarget.value)}
          aria-label="CID to download"
        />
        <button type="submit" data-testid="files-get-submit">
          Get
        </button>
      </form>
      {inputError && (
        <p class="error" role="alert" data-testid="files-get-error">
          {inputError}
        </p>
      )}
      {downloads.map((d) => (
        <DownloadRow key={d.cid} download={d} />
      ))}
      {roots && roots.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>name</th>
                <th>CID</th>
                <th class="num">size</th>
                <th>source</th>
                <th>pinned</th>
              </tr>
            </thead>
            <tbody>
              {roots.map((root) => (
                <tr key={root.cid} data-testid="files-root" data-cid={root.cid}>
                  <td>{root.name}</td>
                  <td>
                    <code title={root.cid}>{shortHash(root.cid, 10, 6)}</code>
                  </td>
                  <td class="num">{formatBytes(root.sizeBytes)}</td>
                  <td>{root.source}</td>
                  <td>{root.pinned ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {roots && roots.length === 0 && <p class="muted">No shared files.</p>}
    </Card>
  )
}

function DownloadRow({ download: d }: { download: FileDownloadJson }) {
  const fraction = downloadFraction(d)
  return (
    <div
      data-testid="files-download"
      data-cid={d.cid}
      data-state={d.state}
      data-bytes-done={d.bytesDone}
      data-bytes-total={d.bytesTotal ?? ''}
    >
      <div class="progress" title={d.cid}>
        <code>{shortHash(d.cid, 10, 6)}</code>
        <progress max={1} value={fraction} aria-label="download progress" />
        <span>
          {formatBytes(d.bytesDone)}
          {d.bytesTotal === null ? '' : ` / ${formatBytes(d.bytesTotal)}`}
        </span>
      </div>
      <dl class="row">
        <Field label="state">
          <span class={`badge ${d.state}`}>{d.state}</span>
        </Field>
        <Field label="blocks">
          {d.blocksDone} / {d.blocksKnown}
        </Field>
        <Field label="providers">{d.providers}</Field>
        <Field label="rate">{formatBytes(d.bytesPerSecond)}/s</Field>
        <Field label="ETA">{d.etaSeconds === null ? '—' : formatDuration(d.etaSeconds)}</Field>
      </dl>
      {d.error && (
        <p class="error" role="alert">
          {d.error.code}: {d.error.message}
        </p>
      )}
    </div>
  )
}
