/**
 * Sends a transaction from a key of the node's wallet: pick the key, unlock
 * it with its passphrase if the node holds it locked, give recipient, amount
 * (in coins) and fee (in base units). The node signs (`wallet_send`); the
 * "Sent" list then follows each hash from pending to its block.
 */
import type { TargetedSubmitEvent } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { WalletKeyJson } from '../../src/api/json.js'
import { Card } from './card.js'
import { formatCoins, parseBaseUnits, parseCoins, shortHash } from './format.js'
import { errorText, type NodeRpc } from './rpc.js'
import type { SentStatus, SentTx } from './store.js'

const DEFAULT_FEE = '1000'

function sentLabel(status: SentStatus): string {
  switch (status.state) {
    case 'pending':
      return 'pending'
    case 'included':
      return `included in block #${status.height}`
    case 'unknown':
      return 'not known to the node (dropped?)'
  }
}

interface SendCardProps {
  rpc: NodeRpc
  sent: SentTx[]
  onSent(tx: Omit<SentTx, 'status'>): void
}

type Outcome = { kind: 'error'; text: string } | { kind: 'ok'; text: string }

export function SendCard({ rpc, sent, onSent }: SendCardProps) {
  const [keys, setKeys] = useState<WalletKeyJson[]>()
  const [keysError, setKeysError] = useState<string>()
  const [from, setFrom] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [to, setTo] = useState('')
  const [amount, setAmount] = useState('')
  const [fee, setFee] = useState(DEFAULT_FEE)
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>()

  const loadKeys = useCallback(async () => {
    try {
      const list = await rpc.call('wallet_list')
      setKeys(list)
      setKeysError(undefined)
      // Keep the chosen key; otherwise prefer one that can sign right away.
      setFrom((chosen) =>
        list.some((k) => k.name === chosen) ? chosen : ((list.find((k) => k.unlocked) ?? list[0])?.name ?? ''),
      )
    } catch (err) {
      setKeysError(errorText(err))
    }
  }, [rpc])

  useEffect(() => {
    void loadKeys()
  }, [loadKeys])

  const key = keys?.find((k) => k.name === from)

  const unlock = async () => {
    if (!key) return
    setBusy(true)
    setOutcome(undefined)
    try {
      const unlocked = await rpc.call('wallet_unlock', { name: key.name, passphrase })
      setKeys((list) => list?.map((k) => (k.name === unlocked.name ? unlocked : k)))
      setPassphrase('')
      setOutcome({ kind: 'ok', text: `${unlocked.name} is unlocked` })
    } catch (err) {
      setOutcome({ kind: 'error', text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  const send = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault()
    setOutcome(undefined)
    if (!key) return setOutcome({ kind: 'error', text: 'choose a key to send from' })
    if (!key.unlocked) return setOutcome({ kind: 'error', text: `unlock ${key.name} first` })
    const recipient = to.trim()
    if (!/^pc1[02-9ac-hj-np-z]+$/.test(recipient)) {
      return setOutcome({ kind: 'error', text: 'recipient must be a pc1… address' })
    }
    const value = parseCoins(amount)
    if (!value.ok) return setOutcome({ kind: 'error', text: value.error })
    const feeValue = parseBaseUnits(fee)
    if (!feeValue.ok) return setOutcome({ kind: 'error', text: feeValue.error })
    setBusy(true)
    try {
      const result = await rpc.call('wallet_send', {
        from: key.name,
        to: recipient,
        amount: value.value.toString(),
        fee: feeValue.value.toString(),
      })
      onSent({ hash: result.hash, to: recipient, amount: value.value.toString() })
      setAmount('')
      setOutcome({ kind: 'ok', text: `sent ${shortHash(result.hash)} (${result.status})` })
    } catch (err) {
      setOutcome({ kind: 'error', text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title="Send" testid="send-card" error={keysError}>
      <form class="send" onSubmit={send} data-testid="send-form">
        <label>
          <span>from</span>
          <span class="inline">
            <select
              value={from}
              onChange={(e) => setFrom(e.currentTarget.value)}
              data-testid="send-from"
              disabled={!keys || keys.length === 0}
            >
              {keys?.length === 0 && <option value="">no keys in the node's wallet</option>}
              {keys?.map((k) => (
                <option key={k.name} value={k.name}>
                  {k.name} · {shortHash(k.address, 10, 4)}
                  {k.unlocked ? '' : ' (locked)'}
                </option>
              ))}
            </select>
            <button type="button" class="ghost" onClick={() => void loadKeys()} title="reload the key list">
              ↻
            </button>
          </span>
        </label>
        {key && !key.unlocked && (
          <label>
            <span>passphrase</span>
            {/* Lets a password manager tell which key the passphrase belongs to. */}
            <input type="text" autocomplete="username" value={key.name} readOnly hidden />
            <span class="inline">
              <input
                type="password"
                autocomplete="current-password"
                value={passphrase}
                onInput={(e) => setPassphrase(e.currentTarget.value)}
                data-testid="send-passphrase"
              />
              <button type="button" onClick={() => void unlock()} disabled={busy} data-testid="send-unlock">
                Unlock
              </button>
            </span>
          </label>
        )}
        <label>
          <span>to</span>
          <input
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
            placeholder="pc1…"
            spellcheck={false}
            autocomplete="off"
            data-testid="send-to"
          />
        </label>
        <label>
          <span>amount (coins)</span>
          <input
            value={amount}
            onInput={(e) => setAmount(e.currentTarget.value)}
            inputMode="decimal"
            placeholder="1.5"
            data-testid="send-amount"
          />
        </label>
        <label>
          <span>fee (base units)</span>
          <input
            value={fee}
            onInput={(e) => setFee(e.currentTarget.value)}
            inputMode="numeric"
            data-testid="send-fee"
          />
        </label>
        <div class="actions">
          <button type="submit" disabled={busy || !key?.unlocked} data-testid="send-submit">
            {busy ? 'Sending…' : 'Send'}
          </button>
          {outcome && (
            <p
              class={outcome.kind === 'error' ? 'error' : 'ok'}
              role={outcome.kind === 'error' ? 'alert' : 'status'}
              data-testid="send-outcome"
            >
              {outcome.text}
            </p>
          )}
        </div>
      </form>
      {sent.length > 0 && <SentList sent={sent} />}
    </Card>
  )
}

function SentList({ sent }: { sent: SentTx[] }) {
  return (
    <div class="sent">
      <h3>Sent</h3>
      <ul>
        {sent.map((tx) => (
          <li key={tx.hash} data-testid="sent-tx" data-hash={tx.hash} data-status={tx.status.state}>
            <code title={tx.hash}>{shortHash(tx.hash)}</code>
            <span>
              {formatCoins(tx.amount)} → <code title={tx.to}>{shortHash(tx.to, 10, 4)}</code>
            </span>
            <span class={`badge ${tx.status.state}`} data-testid="sent-status">
              {sentLabel(tx.status)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  )
}
