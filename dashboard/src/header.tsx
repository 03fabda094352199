import type { NodeStatusJson } from '../../src/api/json.js'
import { shortId } from './format.js'
import type { SocketState } from './socket.js'

const SOCKET_LABELS: Record<SocketState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
}

export function Header({ status, socket }: { status?: NodeStatusJson; socket: SocketState }) {
  return (
    <header class="top">
      <h1>peerchain</h1>
      <dl class="ident">
        <div>
          <dt>peer</dt>
          <dd title={status?.peerId} data-testid="node-peer-id">
            {status ? shortId(status.peerId) : '—'}
          </dd>
        </div>
        <div>
          <dt>chain</dt>
          <dd data-testid="node-chain-id">{status?.chainId ?? '—'}</dd>
        </div>
        <div>
          <dt>version</dt>
          <dd>{status?.version ?? '—'}</dd>
        </div>
      </dl>
      <span class={`socket socket-${socket}`} data-testid="socket-state" title="WebSocket subscription to the node">
        {SOCKET_LABELS[socket]}
      </span>
    </header>
  )
}
