import type { MempoolJson, NodeStatusJson } from '../../src/api/json.js'
import { Card, Field } from './card.js'
import { formatBytes, shortHash } from './format.js'

interface MempoolCardProps {
  mempool?: MempoolJson
  totals?: NodeStatusJson['mempool']
  error?: string
}

export function MempoolCard({ mempool, totals, error }: MempoolCardProps) {
  const size = totals?.size ?? mempool?.size
  const txs = mempool?.txs ?? []
  return (
    <Card title="Mempool" testid="mempool-card" error={error} span="full">
      <dl class="row">
        <Field label="pending" testid="mempool-size">
          {size ?? '—'}
        </Field>
        <Field label="size">{totals ? formatBytes(totals.bytes) : '—'}</Field>
      </dl>
      {txs.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>hash</th>
                <th>sender</th>
                <th class="num">nonce</th>
                <th class="num">fee</th>
                <th>status</th>
              </tr>
            </thead>
            <tbody>
              {txs.map((tx) => (
                <tr key={tx.hash} data-testid="mempool-tx" data-hash={tx.hash}>
                  <td>
                    <code title={tx.hash}>{shortHash(tx.hash)}</code>
                  </td>
                  <td>
                    <code title={tx.sender}>{shortHash(tx.sender, 10, 4)}</code>
                  </td>
                  <td class="num">{tx.nonce}</td>
                  <td class="num">{tx.fee}</td>
                  <td>
                    <span class={`badge ${tx.status}`}>{tx.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {mempool && txs.length < mempool.size && (
        <p class="muted">
          Showing the oldest {txs.length} of {mempool.size}.
        </p>
      )}
      {mempool && mempool.size === 0 && <p class="muted">Empty.</p>}
    </Card>
  )
}
