/**
 * The download plan of one window of headers: batches of positions, each a
 * small state machine, and the slots where delivered blocks wait to be
 * imported strictly in order.
 */
import type { Header } from '../ledger/block.js'
import type { PeerIdString } from '../net/network.js'
import { SyncPeerError } from './faults.js'
import type { SyncedBlock } from './types.js'

export type BatchState =
  | { status: 'awaitingDownload' }
  | { status: 'downloading'; peer: PeerIdString; attempt: number }
  | { status: 'delivered' }

export class Batch {
  private current: BatchState = { status: 'awaitingDownload' }
  /** Peers that answered with none of these blocks: they lack them, so ask someone else. */
  readonly lackedBy = new Set<PeerIdString>()

  constructor(
    /** Positions in the window, ascending. */
    readonly positions: readonly number[],
  ) {}

  get state(): BatchState {
    return this.current
  }

  get first(): number {
    return this.positions[0] as number
  }

  startDownload(peer: PeerIdString, attempt: number): void {
    this.expect('awaitingDownload')
    this.current = { status: 'downloading', peer, attempt }
  }

  /** The answer to `attempt` is still wanted (not reassigned since). */
  isAttempt(attempt: number): boolean {
    return this.current.status === 'downloading' && this.current.attempt === attempt
  }

  downloadFailed(): void {
    this.expect('downloading')
    this.current = { status: 'awaitingDownload' }
  }

  delivered(): void {
    this.expect('downloading')
    this.current = { status: 'delivered' }
  }

  private expect(status: BatchState['status']): void {
    if (this.current.status !== status) throw new Error(`batch at ${this.first}: ${this.current.status}, not ${status}`)
  }
}

export interface Delivered {
  block: SyncedBlock
  peer: PeerIdString
}

export interface QueueLimits {
  batchSize: number
  /** Blocks ahead of the import point a batch may start at. */
  bufferBlocksMax: number
  /** Bytes of delivered blocks waiting for import before no new batch starts (the one import waits for always may). */
  bufferBytesMax: number
}

export class DownloadQueue {
  private readonly slots: Array<Delivered | undefined>
  /** Batches not yet delivered, by first position. */
  private open: Batch[] = []
  private readonly positionOf = new Map<string, number>()
  private nextImport = 0
  private bufferedBytes = 0

  constructor(
    readonly headers: readonly Header[],
    private readonly limits: QueueLimits,
  ) {
    this.slots = new Array(headers.length).fill(undefined)
    for (const [i, h] of headers.entries()) this.positionOf.set(h.id, i)
    for (let i = 0; i < headers.length; i += limits.batchSize) {
      const end = Math.min(headers.length, i + limits.batchSize)
      this.open.push(new Batch(Array.from({ length: end - i }, (_, k) => i + k)))
    }
  }

  /** Position of the next block to import; `headers.length` when all are imported. */
  get importedCount(): number {
    return this.nextImport
  }

  get done(): boolean {
    return this.nextImport >= this.headers.length
  }

  /** Height of the highest block delivered in one unbroken run from the import point. */
  get downloadedHeight(): number {
    let i = this.nextImport
    while (i < this.slots.length && this.slots[i]) i++
    return i === 0 ? (this.headers[0]?.height ?? 1) - 1 : (this.headers[i - 1] as Header).height
  }

  hashes(batch: Batch): Uint8Array[] {
    return batch.positions.map((p) => (this.headers[p] as Header).hash)
  }

  /** Height of the batch's last block: a peer whose head is lower cannot have it. */
  topHeight(batch: Batch): number {
    return (this.headers[batch.positions.at(-1) as number] as Header).height
  }

  downloading(): Batch[] {
    return this.open.filter((b) => b.state.status === 'downloading')
  }

  /** The lowest waiting batch `canServe` accepts, within the buffer bounds. */
  nextFor(canServe: (batch: Batch) => boolean): Batch | undefined {
    for (const batch of this.open) {
      if (batch.state.status !== 'awaitingDownload') continue
      const blocking = batch.positions.includes(this.nextImport)
      if (!blocking) {
        if (batch.first >= this.nextImport + this.limits.bufferBlocksMax) return undefined
        if (this.bufferedBytes >= this.limits.bufferBytesMax) return undefined
      }
      if (canServe(batch)) return batch
    }
    return undefined
  }

  /**
   * Files a peer's answer. Throws SyncPeerError for a block we did not ask for
   * (or twice), filing nothing. Positions the answer left out go back to the
   * queue; an empty answer marks the peer as lacking the batch.
   */
  deliver(batch: Batch, peer: PeerIdString, blocks: readonly SyncedBlock[]): void {
    const asked = new Set(batch.positions)
    const got: number[] = []
    for (const block of blocks) {
      const position = this.positionOf.get(block.id)
      if (position === undefined || !asked.has(position)) {
        throw new SyncPeerError('UNREQUESTED_BLOCK', `block ${block.id} was not requested`)
      }
      asked.delete(position)
      got.push(position)
    }
    if (got.length === 0) {
      batch.downloadFailed()
      batch.lackedBy.add(peer)
      return
    }
    for (const [i, block] of blocks.entries()) this.fill(got[i] as number, { block, peer })
    batch.delivered()
    this.remove(batch)
    if (asked.size > 0) this.add(new Batch([...asked].sort((a, b) => a - b)))
  }

  /** True when the next block to import has been delivered. */
  ready(): boolean {
    return this.slots[this.nextImport] !== undefined
  }

  /** Takes the next block to import out of its slot (so nothing can disown it mid-import). */
  take(): (Delivered & { position: number }) | undefined {
    const slot = this.slots[this.nextImport]
    if (!slot) return undefined
    this.clear(this.nextImport)
    return { ...slot, position: this.nextImport }
  }

  /** The taken block is in the chain: move to the next. */
  advance(): void {
    if (this.slots[this.nextImport]) throw new Error(`block at ${this.nextImport} was not taken`)
    this.nextImport++
  }

  /** The taken block was bad: download it again (from someone else). */
  putBack(position: number): void {
    this.add(new Batch([position]))
  }

  /**
   * Forgets what `peer` delivered and has in flight: its blocks wait for
   * another peer, and late answers to its requests are dropped.
   */
  disown(peer: PeerIdString): void {
    const positions: number[] = []
    this.slots.forEach((slot, i) => {
      if (slot?.peer === peer) {
        this.clear(i)
        positions.push(i)
      }
    })
    for (const batch of this.downloading()) {
      if (batch.state.status === 'downloading' && batch.state.peer === peer) batch.downloadFailed()
    }
    for (let i = 0; i < positions.length; i += this.limits.batchSize) {
      this.add(new Batch(positions.slice(i, i + this.limits.batchSize)))
    }
  }

  private fill(position: number, delivered: Delivered): void {
    this.slots[position] = delivered
    this.bufferedBytes += heldBytes(delivered.block)
  }

  private clear(position: number): void {
    const slot = this.slots[position]
    if (!slot) return
    this.bufferedBytes -= heldBytes(slot.block)
    this.slots[position] = undefined
  }

  private add(batch: Batch): void {
    const at = this.open.findIndex((b) => b.first > batch.first)
    if (at < 0) this.open.push(batch)
    else this.open.splice(at, 0, batch)
  }

  private remove(batch: Batch): void {
    this.open = this.open.filter((b) => b !== batch)
  }
}

/** What a delivered block holds in memory while it waits: its bytes and its commit's. */
function heldBytes(block: SyncedBlock): number {
  return block.bytes.byteLength + (block.commit?.byteLength ?? 0)
}
