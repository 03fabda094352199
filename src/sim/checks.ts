/**
 * What must hold in every simulated run, checked against the nodes' real
 * state: one state root per height on every node, no accepted tx lost, and a
 * mempool consistent with its chain after every reorg; under proof of stake,
 * safety (one final block per height, none undone) and liveness (heights
 * commit while ⅔+ of the power is connected, never while no side holds it,
 * and again after each heal). Each returns the violations it found (empty =
 * holds), so tests and `sim:fuzz` can print them.
 */
import { JAILED_FOREVER } from '../consensus/pos/stake-record.js'
import type { Account } from '../ledger/state.js'
import type { PeerchainNode } from '../node/node.js'
import { fromHex, toHex } from '../util/bytes.js'
import { roundMsMax } from './consensus.js'
import type { FinalityRecord } from './finality.js'
import type { Scenario } from './scenario.js'
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

/**
 * Proof of stake's safety: no two nodes ever held different blocks final at
 * one height, and no node undid a final block (both recorded on every head
 * change), and every running node's chain now holds the first block seen
 * final at each of its heights.
 */
export function safetyViolations(
  record: FinalityRecord,
  chains: ReadonlyArray<{ node: number; mainAt(height: number): string | undefined; height: number }> = [],
): string[] {
  const out = [...record.conflicts]
  for (const chain of chains) {
    for (let h = 1; h <= chain.height; h++) {
      const first = record.firstFinal.get(h)
      const ours = chain.mainAt(h)
      if (first?.id !== ours) {
        out.push(
          `node ${chain.node}: height ${h} holds ${ours?.slice(0, 16)}, first final was ${first?.id.slice(0, 16)}`,
        )
        break
      }
    }
  }
  return out
}

/**
 * The longest a network with ⅔+ of the power connected may go without a new
 * height: the commit pause, then a round at its capped timeouts for each
 * proposer in a row that proposes nothing (at most the offline and silent
 * validators), one for a round lost to a heal or a late proposal, and one
 * for the round that commits.
 */
export function livenessStallMsMax(scenario: Scenario): number {
  return scenario.block_interval_s * 1000 + (absentProposers(scenario) + 2) * roundMsMax(scenario.timeouts)
}

/** Validators that never propose: the offline ones and the silent ones. */
export function absentProposers(scenario: Scenario): number {
  return scenario.offline_validators + scenario.byzantine.filter((b) => b.fault === 'silent').length
}

/**
 * Proof of stake's liveness: heights kept committing while ⅔+ of the power
 * was connected (no wait past `stallMsMax`), none committed while no side
 * held ⅔+, and a height committed after every heal.
 */
export function livenessViolations(record: FinalityRecord, stallMsMax: number): string[] {
  const out = [...record.commitsWithoutQuorum]
  if (record.stallMsMax > stallMsMax) {
    out.push(`no new height for ${record.stallMsMax} ms while ⅔+ of the power was connected (bound ${stallMsMax} ms)`)
  }
  for (const heal of record.heals) {
    if (!heal.committedAfter) {
      out.push(`no height committed after the ${heal.lossEnd ? 'end of loss' : 'heal'} at ${heal.atMs} ms`)
    }
  }
  return out
}

/** Both proof-of-stake checks over a finished run (none under proof of work). */
export function finalityViolations(world: SimWorld): string[] {
  const record = world.finality
  if (!record) return []
  const chains = world.nodes
    .filter((n) => n.running)
    .map(({ index, node }) => {
      const { chain } = node.ledger
      return { node: index, height: chain.head.height, mainAt: (h: number) => chain.index.mainAt(h)?.id }
    })
  return [...safetyViolations(record, chains), ...livenessViolations(record, livenessStallMsMax(world.scenario))]
}

/**
 * Proof of stake's slashing, on every honest running node's state at its
 * head: each validator that equivocated is jailed for good with its bonded
 * stake cut by exactly `slashDoubleSignBps` of its genesis stake, and every
 * other validator keeps its genesis stake, unjailed (the simulated
 * validators stake nothing more and unstake nothing, and no rule jails for
 * anything else). A silent or late validator is not slashed either: only
 * double signing is.
 */
export async function slashingViolations(world: SimWorld): Promise<string[]> {
  const pos = world.genesis.pos
  if (!pos) return []
  const equivocators = new Set(world.scenario.byzantine.filter((b) => b.fault === 'equivocate').map((b) => b.validator))
  const out: string[] = []
  for (const { index, node, running, fault } of world.nodes) {
    if (!running || fault) continue
    const accounts = await node.ledger.chain.getAccounts(pos.validators.map((v) => v.address))
    pos.validators.forEach((v, i) => {
      const stake = accounts[i]?.stake
      const jailed = stake?.jailedUntil
      if (equivocators.has(i)) {
        const expected = v.stake - (v.stake * BigInt(pos.slashDoubleSignBps)) / 10_000n
        if (jailed !== JAILED_FOREVER) out.push(`node ${index}: equivocating validator ${i} is not jailed for good`)
        if (stake?.bonded !== expected) {
          out.push(
            `node ${index}: equivocating validator ${i} holds ${stake?.bonded} bonded, slashed it is ${expected}`,
          )
        }
      } else {
        if (jailed !== undefined) out.push(`node ${index}: validator ${i}, which never signed twice, is jailed`)
        if (stake?.bonded !== v.stake) {
          out.push(
            `node ${index}: validator ${i}, which never signed twice, holds ${stake?.bonded} bonded of ${v.stake}`,
          )
        }
      }
    })
  }
  return out
}
