import type { HeadJson, PosValidatorsJson } from '../../src/api/json.js'
import { Card, Field } from './card.js'
import { finalityLagOf, finalizedOf, validatorSetRows } from './finality.js'
import { shortHash } from './format.js'

interface ValidatorsCardProps {
  set?: PosValidatorsJson
  head?: HeadJson
  error?: string
}

/** Proof of stake: the validator set deciding the next block, and finality (shown only on a PoS node). */
export function ValidatorsCard({ set, head, error }: ValidatorsCardProps) {
  const finalized = head && finalizedOf(head)
  const lag = head && finalityLagOf(head)
  const rows = set ? validatorSetRows(set) : []
  return (
    <Card title="Validator set & finality" testid="validators-card" error={error} span="wide">
      <dl class="row">
        <Field label="finalized" testid="finalized-height">
          {finalized ? <span data-height={finalized.height}>#{finalized.height}</span> : '—'}
        </Field>
        <Field label="finality lag" testid="finality-lag">
          {lag === undefined ? '—' : <span data-lag={lag}>{`${lag} ${lag === 1 ? 'block' : 'blocks'}`}</span>}
        </Field>
        <Field label="height" testid="validators-height">
          {set ? `#${set.height} (epoch ${set.epoch})` : '—'}
        </Field>
        <Field label="total power">{set ? BigInt(set.totalPower).toLocaleString('en-US') : '—'}</Field>
      </dl>
      {rows.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>address</th>
                <th class="num">power</th>
                <th class="num">stake</th>
                <th>jailed</th>
                <th class="num" title={`of the last ${set?.missedWindow ?? 0} committed blocks`}>
                  missed
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={row.address}
                  data-testid="validator-row"
                  data-address={row.address}
                  data-missed={row.missedCount}
                  data-proposer={row.proposer ? 'true' : 'false'}
                >
                  <td>
                    <code title={row.address}>{shortHash(row.address, 12, 6)}</code>
                    {row.proposer && (
                      <span class="muted" title="proposes round 0 of this height">
                        {' '}
                        ★
                      </span>
                    )}
                  </td>
                  <td class="num">{row.power}</td>
                  <td class="num">{row.stake}</td>
                  <td>
                    <span class={`badge ${row.jailed === 'no' ? 'on' : 'off'}`}>{row.jailed}</span>
                  </td>
                  <td class="num">{row.missed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!set && <p class="muted">Loading…</p>}
    </Card>
  )
}
