import type { PeerJson } from '../../src/api/json.js'
import { Card } from './card.js'
import { PeerGraph } from './peer-graph.js'

export function PeersCard({ peers, selfId, error }: { peers?: PeerJson[]; selfId?: string; error?: string }) {
  const inbound = peers?.filter((p) => p.direction === 'inbound').length ?? 0
  const outbound = (peers?.length ?? 0) - inbound
  return (
    <Card
      title="Peers"
      testid="peers-card"
      error={error}
      aside={
        <span class="counts">
          <span class="big-inline" data-testid="peer-count" data-count={peers?.length}>
            {peers ? peers.length : '—'}
          </span>{' '}
          · {inbound} in (dashed) · {outbound} out
        </span>
      }
    >
      {peers && peers.length === 0 ? <p class="muted">No peers connected.</p> : null}
      <PeerGraph peers={peers ?? []} selfId={selfId} />
    </Card>
  )
}
