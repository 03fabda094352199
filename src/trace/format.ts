/**
 * The node's event trace (`peerchain start --trace FILE`): one JSON object
 * per line, written only when asked for. The network lab merges the traces
 * of all its nodes into one report (src/lab/report/), so this file is the
 * contract between the two.
 *
 * Times `t` are Unix epoch milliseconds with a fractional part, from the
 * node's injected clock. Lab nodes share one machine's clock, so times of
 * different nodes compare directly.
 *
 * Peer ids are base58 strings. `from` is the peer a message first arrived
 * from, or `local` when this node made it (mined a block, took a tx over RPC).
 */
export const TRACE_VERSION = 1

/** The first line of every trace. */
export interface TraceStart {
  t: number
  e: 'start'
  v: typeof TRACE_VERSION
  peerId: string
  pid: number
}

/** The first time this node saw a tx (valid or not yet validated: the moment it arrived). */
export interface TraceTx {
  t: number
  e: 'tx'
  id: string
  from: string
  /** Its encoded size, when known: the report adds its transmission time to the shortest-path bound. */
  bytes?: number
}

/** The first time this node saw a block. */
export interface TraceBlock {
  t: number
  e: 'block'
  hash: string
  height: number
  from: string
  /** Its parent's hash: the report rebuilds the block tree from it (stale blocks, convergence after a heal). */
  parent?: string
  /** Its encoded size, when known: the report adds its transmission time to the shortest-path bound. */
  bytes?: number
}

/**
 * How many copies of one message arrived, the first included: 0 for a
 * message this node made that no peer sent back. Written once per message,
 * when its counting window closes (or at stop).
 */
export interface TraceCopies {
  t: number
  e: 'copies'
  k: 'tx' | 'block'
  id: string
  n: number
}

/** Bytes moved per protocol id since start (running totals, sampled). */
export interface TraceBytes {
  t: number
  e: 'bytes'
  proto: Record<string, { in: number; out: number }>
}

export interface TracePeer {
  t: number
  e: 'peer'
  op: 'open' | 'close'
  peer: string
  /** The remote IP of the connection, when it has one. */
  ip?: string
  dir: 'in' | 'out'
}

/** The node's head moved. */
export interface TraceHead {
  t: number
  e: 'head'
  hash: string
  height: number
}

/** The head moved off its branch: `depth` blocks were disconnected. */
export interface TraceReorg {
  t: number
  e: 'reorg'
  depth: number
  from: string
  to: string
}

/** This node cut or discouraged a peer for misbehaviour. */
export interface TraceCut {
  t: number
  e: 'cut'
  peer: string
  ip?: string
  reason: string
}

/** Process figures, sampled: CPU time used since start (user + system) and resident set size. */
export interface TraceProc {
  t: number
  e: 'proc'
  cpuMs: number
  rss: number
}

/**
 * Lines the writer could not keep: its buffer was full (the disk fell behind)
 * or a write failed. One line per run of lost lines, where they would have been.
 */
export interface TraceDropped {
  t: number
  e: 'dropped'
  n: number
}

/** The last line of a trace that was closed cleanly. */
export interface TraceStop {
  t: number
  e: 'stop'
}

export type TraceEvent =
  | TraceStart
  | TraceTx
  | TraceBlock
  | TraceCopies
  | TraceBytes
  | TracePeer
  | TraceHead
  | TraceReorg
  | TraceCut
  | TraceProc
  | TraceDropped
  | TraceStop
