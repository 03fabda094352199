import type { HeadJson } from '../../src/api/json.js'
import { Card, Field } from './card.js'
import { finalizedOf } from './finality.js'
import { formatAge, shortHash } from './format.js'
import { useNow } from './hooks.js'

export function HeadCard({ head, error }: { head?: HeadJson; error?: string }) {
  const now = useNow()
  const finalized = head && finalizedOf(head)
  return (
    <Card title="Head" testid="head-card" error={error}>
      <p class="big" data-testid="head-height" data-height={head?.height}>
        {head ? `#${head.height}` : '—'}
      </p>
      {head && (
        <dl>
          <Field label="hash">
            <code title={head.hash}>{shortHash(head.hash, 16, 8)}</code>
          </Field>
          <Field label="age" testid="head-age">
            {formatAge(head.timestamp, now)}
          </Field>
          <Field label="total work">{head.totalWork}</Field>
          {finalized && (
            <Field label="finalized" testid="head-finalized">
              <span data-height={finalized.height}>#{finalized.height}</span>{' '}
              <code title={finalized.hash}>{shortHash(finalized.hash, 16, 8)}</code>
            </Field>
          )}
        </dl>
      )}
    </Card>
  )
}
