/**
 * Everything the page shows about the node, kept fresh: a full refresh
 * (node_status, net_peers, mempool_list, chain_head, and on a proof-of-stake
 * node pos_validators) on every WebSocket event
 * and every 3 s, the last blocks followed back from the head by parent hash
 * (so a reorg replaces them), and the status of the transactions sent from
 * this page. Components read the state and re-render when it changes.
 */
import type {
  BlockJson,
  HeadJson,
  MempoolJson,
  NodeStatusJson,
  PeerJson,
  PosValidatorsJson,
} from '../../src/api/json.js'
import { errorText, type NodeRpc } from './rpc.js'
import { LiveSocket, type SocketState } from './socket.js'

export const RECENT_BLOCKS = 10
const REFRESH_INTERVAL_MS = 3_000
const MEMPOOL_ROWS = 50

export type SentStatus = { state: 'pending' } | { state: 'included'; height: number } | { state: 'unknown' }

export interface SentTx {
  hash: string
  to: string
  amount: string
  status: SentStatus
}

export type Section = 'status' | 'peers' | 'mempool' | 'head' | 'validators'

export interface DashboardState {
  socket: SocketState
  status?: NodeStatusJson
  head?: HeadJson
  peers?: PeerJson[]
  mempool?: MempoolJson
  /** Proof of stake only: the set deciding the next block (pos_validators). */
  validators?: PosValidatorsJson
  /** Newest first, at most RECENT_BLOCKS, each the parent of the one before. */
  blocks: BlockJson[]
  sent: SentTx[]
  /** The last error per section, cleared by the next success. */
  errors: Partial<Record<Section, string>>
}

export class NodeStore {
  state: DashboardState = { socket: 'connecting', blocks: [], sent: [], errors: {} }
  private readonly listeners = new Set<() => void>()
  private readonly socket: LiveSocket
  private timer?: ReturnType<typeof setInterval>
  private refreshing?: Promise<void>
  private refreshAgain = false

  constructor(
    readonly rpc: NodeRpc,
    socketUrl: string,
  ) {
    this.socket = new LiveSocket(socketUrl, {
      onState: (socket) => {
        this.update({ socket })
        // Back from a drop: what happened meanwhile was not pushed to us.
        if (socket === 'live') void this.refresh()
      },
      onNewHead: (head) => {
        this.acceptHead(head)
        void this.refresh()
      },
      onPendingTx: () => void this.refresh(),
    })
  }

  start(): void {
    this.socket.start()
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS)
  }

  stop(): void {
    this.socket.stop()
    clearInterval(this.timer)
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Starts following a transaction this page sent. */
  trackSent(tx: Omit<SentTx, 'status'>): void {
    this.update({ sent: [{ ...tx, status: { state: 'pending' } }, ...this.state.sent] })
  }

  /** One refresh at a time; calls during one run it once more afterwards, so bursts of events coalesce. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true
      return this.refreshing
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false
        await this.load()
      } while (this.refreshAgain)
    })().finally(() => {
      this.refreshing = undefined
    })
    return this.refreshing
  }

  private async load(): Promise<void> {
    const [status, peers, mempool, head] = await Promise.allSettled([
      this.rpc.call('node_status'),
      this.rpc.call('net_peers'),
      this.rpc.call('mempool_list', { limit: MEMPOOL_ROWS }),
      this.rpc.call('chain_head'),
    ])
    const errors = { ...this.state.errors }
    const patch: Partial<DashboardState> = {}
    if (status.status === 'fulfilled') patch.status = status.value
    if (peers.status === 'fulfilled') patch.peers = peers.value
    if (mempool.status === 'fulfilled') patch.mempool = mempool.value
    const results = { status, peers, mempool, head }
    for (const section of Object.keys(results) as Array<keyof typeof results>) {
      const result = results[section]
      if (result.status === 'rejected') errors[section] = errorText(result.reason)
      else delete errors[section]
    }
    this.update({ ...patch, errors })
    if (head.status === 'fulfilled') this.acceptHead(head.value)
    if (this.state.status?.consensus === 'pos') await this.loadValidators()
    await this.loadBlocks()
    await this.checkSent()
  }

  /** The validator set of the next height (a proof-of-stake node only). */
  private async loadValidators(): Promise<void> {
    const errors = { ...this.state.errors }
    try {
      const validators = await this.rpc.call('pos_validators')
      delete errors.validators
      this.update({ validators, errors })
    } catch (err) {
      this.update({ errors: { ...errors, validators: errorText(err) } })
    }
  }

  /** Takes `head` unless we already show one with more work (an answer can be older than a notification). */
  private acceptHead(head: HeadJson): void {
    const shown = this.state.head
    if (shown && (shown.hash === head.hash || BigInt(shown.totalWork) > BigInt(head.totalWork))) return
    this.update({ head })
  }

  /** Follows parent hashes back from the head, reusing the blocks already held. */
  private async loadBlocks(): Promise<void> {
    const head = this.state.head
    if (!head || this.state.blocks[0]?.hash === head.hash) return
    const held = new Map(this.state.blocks.map((b) => [b.hash, b]))
    const blocks: BlockJson[] = []
    let hash = head.hash
    try {
      while (blocks.length < RECENT_BLOCKS) {
        const block = held.get(hash) ?? (await this.rpc.call('chain_getBlock', { hash }))
        if (!block) break
        blocks.push(block)
        if (block.height === 0) break
        hash = block.parentHash
      }
    } catch (err) {
      this.update({ errors: { ...this.state.errors, head: errorText(err) } })
      return
    }
    // A newer head may have arrived meanwhile; the next refresh walks from it. Still show this
    // walk: on a fast chain every walk ends behind the head, and the list must move all the same.
    this.update({ blocks })
  }

  /** Asks where each sent transaction not yet included is. */
  private async checkSent(): Promise<void> {
    const open = this.state.sent.filter((tx) => tx.status.state !== 'included')
    if (open.length === 0) return
    const found = new Map<string, SentStatus>()
    await Promise.all(
      open.map(async (tx) => {
        try {
          const lookup = await this.rpc.call('tx_get', { hash: tx.hash })
          found.set(
            tx.hash,
            lookup.status === 'included' ? { state: 'included', height: lookup.height } : { state: lookup.status },
          )
        } catch {
          // Keep the last known status; the next refresh asks again.
        }
      }),
    )
    this.update({ sent: this.state.sent.map((tx) => ({ ...tx, status: found.get(tx.hash) ?? tx.status })) })
  }

  private update(patch: Partial<DashboardState>): void {
    this.state = { ...this.state, ...patch }
    for (const listener of this.listeners) listener()
  }
}
