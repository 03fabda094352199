import type { NodeStatusJson } from '../../src/api/json.js'
import { Card, Field } from './card.js'
import { formatDuration, shortHash, shortId } from './format.js'

const SYNC_LABELS: Record<NodeStatusJson['sync']['state'], string> = {
  idle: 'in sync',
  headers: 'downloading headers',
  blocks: 'downloading blocks',
}

export function SyncCard({ status, error }: { status?: NodeStatusJson; error?: string }) {
  if (!status) {
    return (
      <Card title="Sync & mining" testid="sync-card" error={error}>
        <p class="muted">Loading…</p>
      </Card>
    )
  }
  const { sync, mining } = status
  const fraction = sync.targetHeight > 0 ? Math.min(1, sync.doneHeight / sync.targetHeight) : 1
  return (
    <Card title="Sync & mining" testid="sync-card" error={error}>
      <dl>
        <Field label="sync" testid="sync-state">
          {SYNC_LABELS[sync.state]}
          {sync.peer && <span class="muted"> from {shortId(sync.peer)}</span>}
        </Field>
      </dl>
      <div class="progress" title={`${sync.doneHeight} of ${sync.targetHeight}`}>
        <progress max={1} value={fraction} aria-label="sync progress" />
        <span>
          {sync.doneHeight} / {sync.targetHeight}
        </span>
      </div>
      <dl class="row">
        <Field label="blocks/s">{sync.blocksPerSecond.toFixed(1)}</Field>
        <Field label="ETA">{sync.etaSeconds === null ? '—' : formatDuration(sync.etaSeconds)}</Field>
      </dl>
      <dl>
        <Field label="mining" testid="mining-state">
          <span class={`badge ${mining.active ? 'on' : 'off'}`}>{mining.active ? 'on' : 'off'}</span>
        </Field>
        <Field label="threads">{mining.threads}</Field>
        <Field label="payout">
          {mining.address ? <code title={mining.address}>{shortHash(mining.address, 12, 6)}</code> : '—'}
        </Field>
      </dl>
    </Card>
  )
}
