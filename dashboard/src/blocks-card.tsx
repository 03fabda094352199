import { useState } from 'preact/hooks'
import type { BlockJson } from '../../src/api/json.js'
import { Card } from './card.js'
import { formatAge, formatCoins, shortHash } from './format.js'
import { useNow } from './hooks.js'

export function BlocksCard({ blocks }: { blocks: BlockJson[] }) {
  const now = useNow()
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set())
  const toggle = (hash: string) =>
    setOpen((prev) => {
      const next = new Set(prev)
      if (!next.delete(hash)) next.add(hash)
      return next
    })
  return (
    <Card title="Recent blocks" testid="blocks-card" span="wide">
      {blocks.length === 0 && <p class="muted">Loading…</p>}
      <ol class="blocks">
        {blocks.map((block) => {
          const expanded = open.has(block.hash)
          return (
            <li key={block.hash} data-testid="block-row" data-height={block.height}>
              <button
                type="button"
                class="block-summary"
                aria-expanded={expanded}
                onClick={() => toggle(block.hash)}
                title={block.hash}
              >
                <span class="chevron" aria-hidden="true">
                  {expanded ? '▾' : '▸'}
                </span>
                <strong>#{block.height}</strong>
                <code>{shortHash(block.hash)}</code>
                <span>
                  {block.txs.length} tx{block.txs.length === 1 ? '' : 's'}
                </span>
                <span class="muted">{formatAge(block.timestamp, now)}</span>
              </button>
              {expanded && <BlockTxs block={block} />}
            </li>
          )
        })}
      </ol>
    </Card>
  )
}

function BlockTxs({ block }: { block: BlockJson }) {
  return (
    <div class="block-detail">
      <p class="muted">
        miner <code title={block.miner}>{shortHash(block.miner, 10, 6)}</code> · reward {formatCoins(block.reward)}
      </p>
      {block.txs.length === 0 ? (
        <p class="muted">No transactions.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>hash</th>
                <th>from</th>
                <th>to</th>
                <th class="num">amount</th>
                <th class="num">fee</th>
              </tr>
            </thead>
            <tbody>
              {block.txs.map((tx) => (
                <tr key={tx.hash} data-testid="block-tx" data-hash={tx.hash}>
                  <td>
                    <code title={tx.hash}>{shortHash(tx.hash)}</code>
                  </td>
                  <td>
                    <code title={tx.from}>{shortHash(tx.from, 10, 4)}</code>
                  </td>
                  <td>
                    <code title={tx.to}>{shortHash(tx.to, 10, 4)}</code>
                  </td>
                  <td class="num">{formatCoins(tx.amount)}</td>
                  <td class="num">{tx.fee}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
