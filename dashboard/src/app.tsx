import { BlocksCard } from './blocks-card.js'
import { FilesCard } from './files-card.js'
import { HeadCard } from './head-card.js'
import { Header } from './header.js'
import { useDashboardState } from './hooks.js'
import { MempoolCard } from './mempool-card.js'
import { PeersCard } from './peers-card.js'
import { SendCard } from './send-card.js'
import type { NodeStore } from './store.js'
import { SyncCard } from './sync-card.js'
import { ValidatorCard } from './validator-card.js'
import { ValidatorsCard } from './validators-card.js'
import { VerifyCard } from './verify-card.js'

export function App({ store }: { store: NodeStore }) {
  const state = useDashboardState(store)
  const { status, errors } = state
  return (
    <>
      <Header status={status} socket={state.socket} />
      <main class="grid">
        <HeadCard head={state.head} error={errors.head} />
        <PeersCard peers={state.peers} selfId={status?.peerId} error={errors.peers} />
        <SyncCard status={status} error={errors.status} />
        {status?.validator && <ValidatorCard validator={status.validator} error={errors.status} />}
        {status?.consensus === 'pos' && (
          <ValidatorsCard set={state.validators} head={state.head} error={errors.validators} />
        )}
        <BlocksCard blocks={state.blocks} />
        <SendCard rpc={store.rpc} sent={state.sent} onSent={(tx) => store.trackSent(tx)} />
        <VerifyCard rpc={store.rpc} />
        <MempoolCard mempool={state.mempool} totals={status?.mempool} error={errors.mempool} />
        <FilesCard rpc={store.rpc} />
      </main>
    </>
  )
}
