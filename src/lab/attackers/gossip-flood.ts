/**
 * A gossip flooder (the lab's `unfunded-flood` and `junk-gossip` attackers,
 * the flood test and bench): a peer on the
 * real libp2p network (createNetwork) that speaks our protocols honestly (it
 * answers the status handshake with the honest genesis, so it is not refused
 * as another chain) and gossips validly signed txs from keys no account
 * funds, as fast as asked. When the honest nodes cut it off, it can come back
 * under a fresh key (`rotate`), as a real attacker would, so the pressure
 * lasts for the whole window; every cut is timed from the first message of
 * that identity.
 */
import { encodeStatus } from '../../ledger/codec/wire-codec.js'
import { keyPairFromSeed, privateKeyObject, sha256, sign } from '../../ledger/crypto.js'
import { signingBytes, Tx, type TxFields } from '../../ledger/tx.js'
import { createNetwork } from '../../net/libp2p-network.js'
import type { Network } from '../../net/network.js'
import { STATUS_LIMITS } from '../../relay/status.js'
import { blockTopic, statusProtocol, txTopic } from '../../relay/topics.js'
import { bigintToBytes } from '../../util/bytes.js'

/** `count` validly signed txs from `keys` unfunded keys (sender i, nonces 0, 1, …), signed with one KeyObject per key. */
export function unfundedTxs(chainId: string, count: number, keys = 64): Tx[] {
  const pairs = Array.from({ length: keys }, (_, i) =>
    keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain flood key ${i}`))),
  )
  const signers = pairs.map((k) => privateKeyObject(k.secretKey))
  const recipient = new Uint8Array(20).fill(0xaa)
  return Array.from({ length: count }, (_, i) => {
    const from = i % keys
    const fields: TxFields = {
      chainId,
      recipient,
      amount: 1_000n,
      fee: 10n,
      nonce: BigInt(Math.floor(i / keys)),
      memo: new Uint8Array(0),
      senderPubKey: pairs[from]!.publicKey,
      signature: new Uint8Array(0),
      kind: 0,
      payload: new Uint8Array(0),
    }
    return Tx.fromFields({ ...fields, signature: sign(signers[from]!, signingBytes(fields)) })
  })
}

export interface FlooderInit {
  chainId: string
  /** The honest genesis hash (node_info.genesisHash): what makes the handshake pass. */
  genesisHash: Uint8Array
  /** Honest nodes' addresses (with /p2p/<id>) to dial. */
  targets: string[]
  /** Status answers claim this head height and total work (a sync staller claims more than it has). */
  claim?: { headHeight: bigint; totalWork: bigint }
  /**
   * Lab mode: every identity listens and dials from this 127.A.B.C, and the
   * honest nodes (also in lab mode) see one attacker IP they can discourage,
   * as on a real network. Without it, all share 127.0.0.1 under
   * local_cluster, where discouragement by IP is off.
   */
  labIp?: string
}

export interface FloodResult {
  /** Txs published to at least one peer. */
  sent: number
  /**
   * Per identity: ms from its first message to the moment its gossip reached
   * no honest node any more (every one disconnected it; undefined: never cut).
   */
  cutsMs: Array<number | undefined>
  /** The peer ids it flooded under (one without rotate). */
  identities: string[]
  /** A fresh identity could no longer reach any honest node (its IP was discouraged): the attack ended early. */
  shutOut: boolean
}

/**
 * One attacker identity, connected and past every target's status handshake
 * (`need: 'all'`) or at least one (`'any'`); undefined if that did not happen
 * by the deadline.
 */
export async function connectIdentity(
  init: FlooderInit,
  deadlineMs: number,
  need: 'all' | 'any',
): Promise<Network | undefined> {
  const network = await createNetwork({
    listen: [`/ip4/${init.labIp ?? '127.0.0.1'}/tcp/0`],
    bootstrap: init.targets,
    chainId: init.chainId,
    localCluster: true,
    lab: init.labIp !== undefined,
  })
  const status = encodeStatus({
    chainId: init.chainId,
    genesisHash: init.genesisHash,
    headHash: init.genesisHash,
    headHeight: init.claim?.headHeight ?? 0n,
    totalWork: bigintToBytes(init.claim?.totalWork ?? 1n),
    role: 'full',
  })
  const askedBy = new Set<string>()
  await network.handle(
    statusProtocol(init.chainId),
    async (_request, peer) => {
      askedBy.add(peer)
      return status
    },
    STATUS_LIMITS,
  )
  for (const topic of [txTopic(init.chainId), blockTopic(init.chainId)]) {
    network.subscribe(
      topic,
      async () => 'ignore',
      () => {},
    )
  }
  await network.start()
  const targetIds = init.targets.map((a) => a.slice(a.lastIndexOf('/') + 1))
  const greeted = (id: string): boolean => askedBy.has(id) && network.peers().some((p) => p.id === id)
  while (need === 'all' ? !targetIds.every(greeted) : !targetIds.some(greeted)) {
    if (Date.now() > deadlineMs) {
      await network.stop()
      return undefined
    }
    await sleep(20)
  }
  return network
}

/**
 * Gossips `txs` at `ratePerSec` for `durationMs` (txs are reused round-robin
 * once spent: duplicates are dropped cheaply by every honest node). With
 * `rotate`, a cut identity is replaced by a fresh one until the time is up.
 */
export async function flood(
  init: FlooderInit,
  txs: ReadonlyArray<{ readonly bytes: Uint8Array }>,
  opts: {
    ratePerSec: number
    durationMs: number
    rotate: boolean
    onFirstMessage?: () => void
    /** Each identity's peer id, as it starts. */
    onIdentity?: (peerId: string) => void
    /** Ends the flood early. */
    signal?: AbortSignal
  },
): Promise<FloodResult> {
  const endMs = Date.now() + opts.durationMs
  const over = (): boolean => Date.now() >= endMs || opts.signal?.aborted === true
  const topic = txTopic(init.chainId)
  const result: FloodResult = { sent: 0, cutsMs: [], identities: [], shutOut: false }
  const tickMs = 10
  const perTick = Math.max(1, Math.round((opts.ratePerSec * tickMs) / 1_000))
  let next = 0
  let first = true
  while (!over()) {
    // the first identity must reach every target; a later one floods whoever still takes it
    const network = first
      ? await connectIdentity(init, endMs + 30_000, 'all')
      : await connectIdentity(init, endMs, 'any')
    if (network === undefined) {
      if (first) throw new Error('the flooder did not pass the status handshake of every target in time')
      result.shutOut = true
      break
    }
    result.identities.push(network.peerId)
    opts.onIdentity?.(network.peerId)
    const startedMs = Date.now()
    let cutMs: number | undefined
    let delivered = 0
    try {
      if (first) opts.onFirstMessage?.()
      first = false
      for (let tickAt = Date.now(); !over(); tickAt += tickMs) {
        const batch = Array.from({ length: perTick }, () => txs[next++ % txs.length] as { bytes: Uint8Array })
        const recipients = await Promise.all(batch.map((tx) => network.publish(topic, tx.bytes).catch(() => 0)))
        const reached = recipients.filter((r) => r > 0).length
        result.sent += reached
        delivered += reached
        // nobody takes our gossip any more (it did before): every honest node has hung up on this identity
        if (reached === 0 && delivered > 0) {
          cutMs = Date.now() - startedMs
          break
        }
        const waitMs = tickAt + tickMs - Date.now()
        if (waitMs > 0) await sleep(waitMs)
      }
    } finally {
      result.cutsMs.push(cutMs)
      await network.stop()
    }
    if (!opts.rotate) break
  }
  return result
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
