/**
 * What must hold in every simulated run, checked against the nodes' real
 * state: one state root per height on every node, no accepted tx lost, and a
 * mempool consistent with its chain after every reorg. Each returns the
 * violations it found (empty = holds), so tests and `sim:fuzz` can print them.
 */
import type { Account } from '../ledger/state.js'
import type { PeerchainNode } from '../node/node.js'
import { fromHex, toHex } from '../util/bytes.js'
import type { SimWorld } from './world.js'

/** Every node's main chain carries node 0's state root at each height both hold. */
export function stateRootMismatches(world: SimWorld): string[] {
  const reference = world.nodes[0]?.node.ledger.chain
  if (!reference) return []
  const out: string[] = []
  for (const { index, node } of world.nodes.slice(1)) {
    const { chain } = node.ledger
    const top = Math.min(chain.head.height, reference.head.height)
    for (let h = 0; h <= top; h++) {
      const ours = chain.index.mainAt(h)?.header.fields.stateRoot
      const theirs = reference.index.mainAt(h)?.header.fields.stateRoot
      if (!ours || !theirs || toHex(ours) !== toHex(theirs)) {
        out.push(`node ${index}: state root at height ${h} differs from node 0's`)
        break
      }
    }
  }
  return out
}

/**
 * Every tx a node accepted is on that node's main chain, exactly once, or
 * still pending in its mempool: a reorg may move a tx, never drop it.
 */
export async function lostTxs(world: SimWorld): Promise<string[]> {
  const out: string[] = []
  for (const [id, { node: index }] of world.observer.submitted) {
    const node = world.nodes[index]?.node
    if (!node) continue
    const { chain, mempool } = node.ledger
    const at = await chain.getTxLocation(fromHex(id))
    if (!at && !mempool.has(id))
      out.push(`tx ${id.slice(0, 16)} accepted by node ${index} is neither mined nor pending`)
  }
  return out
}

/** Txs that appear more than once on a node's main chain (a payment made twice). */
export async function doubleInclusions(node: PeerchainNode): Promise<string[]> {
  const { chain } = node.ledger
  const seen = new Set<string>()
  const out: string[] = []
  for (let h = 1; h <= chain.head.height; h++) {
    const block = await chain.getBlockAt(h)
    for (const tx of block?.txs ?? []) {
      if (seen.has(tx.id)) out.push(`tx ${tx.id.slice(0, 16)} is included twice`)
      seen.add(tx.id)
    }
  }
  return out
}

/**
 * The mempool agrees with the chain's head state: no pending tx is on the
 * main chain; per sender, nonces are distinct and at least the account's
 * nonce; ready txs run contiguously from the account nonce; and the account's
 * balance covers every pending tx's cost. Resolves [] when the head moved
 * while it read (the check is stale, not failed).
 */
export async function poolViolations(node: PeerchainNode): Promise<string[]> {
  const { chain, mempool } = node.ledger
  await node.ledger.settled()
  const headBefore = chain.head.id
  const list = mempool.list()
  const senders = new Map<string, typeof list>()
  for (const info of list) senders.set(info.senderHex, [...(senders.get(info.senderHex) ?? []), info])
  const accounts = await chain.getAccounts([...senders.keys()].map(fromHex))
  const mined = await Promise.all(list.map((info) => chain.getTxLocation(info.tx.hash)))
  if (chain.head.id !== headBefore) return []
  const out: string[] = []
  list.forEach((info, i) => {
    if (mined[i]) out.push(`pending tx ${info.id.slice(0, 16)} is already on the main chain`)
  })
  ;[...senders.entries()].forEach(([sender, own], i) => {
    const account = accounts[i] as Account
    const sorted = [...own].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))
    let expected = account.nonce
    let contiguous = true
    let spent = 0n
    for (const info of sorted) {
      if (info.nonce < account.nonce)
        out.push(`sender ${sender.slice(0, 8)}: nonce ${info.nonce} is below the account's`)
      if (info.nonce !== expected) contiguous = false
      const shouldBe = contiguous ? 'ready' : 'future'
      if (info.status !== shouldBe) out.push(`sender ${sender.slice(0, 8)}: nonce ${info.nonce} is ${info.status}`)
      expected = info.nonce + 1n
      spent += info.tx.cost
    }
    if (new Set(sorted.map((x) => x.nonce)).size !== sorted.length)
      out.push(`sender ${sender.slice(0, 8)}: nonce twice`)
    if (spent > account.balance) out.push(`sender ${sender.slice(0, 8)}: pending cost exceeds the balance`)
  })
  return out
}
