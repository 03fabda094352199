/**
 * Checks, in this page, what the node claims: an account's balance by its
 * Merkle-Patricia proof from a header's stateRoot (`light_accountProof`), or
 * a transaction's inclusion by its Merkle path to a header's txRoot
 * (`light_txProof`). The verification code runs here (src/light/
 * verify-browser.ts, bundled into the page); the header it checks against is
 * the one this page read itself: the head from `chain_head` for an account,
 * the main-chain block at the tx's height from `chain_getBlock` for a tx. The
 * proof's own header must be that block, byte for byte, or it fails
 * PROOF_WRONG_HEADER.
 */
import type { TargetedSubmitEvent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { WalletKeyJson } from '../../src/api/json.js'
import { checkAccountAnswer, checkTxAnswer } from '../../src/light/verify-browser.js'
import { Card } from './card.js'
import { formatCoins, shortHash } from './format.js'
import { errorText, type NodeRpc } from './rpc.js'

const ADDRESS_RE = /^pc1[02-9ac-hj-np-z]+$/
const HASH_RE = /^[0-9a-f]{64}$/

type Outcome = Found & { run: number }

type Found =
  | {
      state: 'verified'
      kind: 'account' | 'tx'
      target: string
      height: number
      hash: string
      /** Where the page got the header it checked against. */
      source: 'chain_head' | 'chain_getBlock'
      detail: string
    }
  | { state: 'failed'; target: string; code: string; message: string }

/** What one check found, or why it did not pass. */
async function verify(rpc: NodeRpc, target: string): Promise<Found> {
  if (ADDRESS_RE.test(target)) {
    const head = await rpc.call('chain_head')
    const answer = await rpc.call('light_accountProof', { address: target, hash: head.hash })
    if (!answer) {
      const message = `the node has no proof at its head #${head.height} (did the head just change?)`
      return { state: 'failed', target, code: 'NO_PROOF', message }
    }
    const r = checkAccountAnswer(answer, target, head.hash)
    if (!r.ok) return { state: 'failed', target, code: r.code, message: r.message }
    const detail = r.account
      ? `balance ${formatCoins(r.account.balance.toString())}, nonce ${r.account.nonce}`
      : 'no such account (proven absent)'
    return { state: 'verified', kind: 'account', target, ...r.header, source: 'chain_head', detail }
  }
  const answer = await rpc.call('light_txProof', { hash: target })
  if (!answer) {
    return {
      state: 'failed',
      target,
      code: 'NO_PROOF',
      message: 'the tx is not on the main chain (pending or unknown)',
    }
  }
  const block = await rpc.call('chain_getBlock', { height: answer.height })
  if (!block) return { state: 'failed', target, code: 'NO_PROOF', message: `no block at #${answer.height} any more` }
  const r = checkTxAnswer(answer, target, block.hash)
  if (!r.ok) return { state: 'failed', target, code: r.code, message: r.message }
  const detail = `at index ${answer.index} of ${answer.txCount} txs`
  return { state: 'verified', kind: 'tx', target, ...r.header, source: 'chain_getBlock', detail }
}

export function VerifyCard({ rpc }: { rpc: NodeRpc }) {
  const [target, setTarget] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>()
  const [inputError, setInputError] = useState<string>()
  const [keys, setKeys] = useState<WalletKeyJson[]>([])
  /** Checks started so far: each result carries its number (data-run), so a reader can tell a new one from the last. */
  const [runs, setRuns] = useState(0)

  useEffect(() => {
    // The node's own keys, to click instead of typing (none on a light node: that is fine).
    rpc.call('wallet_list').then(setKeys, () => setKeys([]))
  }, [rpc])

  const run = async (text: string) => {
    const value = text.trim()
    setTarget(value)
    setInputError(undefined)
    if (!ADDRESS_RE.test(value) && !HASH_RE.test(value)) {
      setInputError('enter a pc1… address or a tx hash (64 hex digits)')
      return
    }
    setBusy(true)
    setOutcome(undefined)
    const seq = runs + 1
    setRuns(seq)
    try {
      setOutcome({ ...(await verify(rpc, value)), run: seq })
    } catch (err) {
      setOutcome({ state: 'failed', target: value, code: 'RPC_ERROR', message: errorText(err), run: seq })
    } finally {
      setBusy(false)
    }
  }

  const submit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault()
    void run(target)
  }

  return (
    <Card title="Verify" testid="verify-card">
      <p class="muted">
        Checks a balance or a transaction against a block header in this page, by its Merkle proof: nothing the node
        says is taken on trust but the header.
      </p>
      <form class="verify" onSubmit={submit} data-testid="verify-form" data-runs={runs}>
        <span class="inline">
          <input
            value={target}
            onInput={(e) => setTarget(e.currentTarget.value)}
            placeholder="pc1… address or tx hash"
            spellcheck={false}
            autocomplete="off"
            aria-label="address or tx hash"
            data-testid="verify-input"
          />
          <button type="submit" disabled={busy} data-testid="verify-submit">
            {busy ? 'Verifying…' : 'Verify'}
          </button>
        </span>
      </form>
      {keys.length > 0 && (
        <p class="verify-keys">
          {keys.map((k) => (
            <button
              type="button"
              class="ghost"
              key={k.name}
              title={k.address}
              onClick={() => void run(k.address)}
              data-testid="verify-key"
            >
              {k.name}
            </button>
          ))}
        </p>
      )}
      {inputError && (
        <p class="error" role="alert">
          {inputError}
        </p>
      )}
      {outcome && <OutcomeView outcome={outcome} />}
    </Card>
  )
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.state === 'failed') {
    return (
      <div
        class="verify-result failed"
        role="alert"
        data-testid="verify-result"
        data-state="failed"
        data-code={outcome.code}
        data-run={outcome.run}
      >
        <p>
          <strong>✗ not verified</strong> <code class="badge unknown">{outcome.code}</code>
        </p>
        <p class="muted">
          <code title={outcome.target}>{shortHash(outcome.target, 12, 6)}</code>: {outcome.message}
        </p>
      </div>
    )
  }
  return (
    <div
      class="verify-result verified"
      role="status"
      data-testid="verify-result"
      data-state="verified"
      data-run={outcome.run}
      data-height={outcome.height}
      data-hash={outcome.hash}
    >
      <p>
        <strong>verified ✓ at height {outcome.height}</strong> (hash{' '}
        <code title={outcome.hash}>{shortHash(outcome.hash, 12, 6)}</code>)
      </p>
      <p>
        {outcome.kind === 'account' ? 'account' : 'tx'}{' '}
        <code title={outcome.target}>{shortHash(outcome.target, 12, 6)}</code>: {outcome.detail}
      </p>
      <p class="muted">
        checked in this page against the header of block #{outcome.height} as this page read it from{' '}
        <code>{outcome.source}</code>
        {outcome.kind === 'account' ? ' (its stateRoot)' : ' (its txRoot)'}
      </p>
    </div>
  )
}
