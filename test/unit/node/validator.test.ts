import { afterEach, describe, expect, it } from 'vitest'
import { Chain } from '../../../src/chain/chain.js'
import { decodeCommit, verifyCommit } from '../../../src/consensus/bft/commit.js'
import { decodeEvidence } from '../../../src/consensus/bft/evidence.js'
import { encodeProposal, signProposal } from '../../../src/consensus/bft/proposal.js'
import { encodeProposalMessage } from '../../../src/consensus/bft/proposal-message.js'
import type { Validator } from '../../../src/consensus/bft/validators.js'
import { encodeVote, signVote } from '../../../src/consensus/bft/vote.js'
import { POS_TARGET, PosEngine } from '../../../src/consensus/pos/engine.js'
import { posEngineOf } from '../../../src/consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { Block } from '../../../src/ledger/block.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../../../src/ledger/crypto.js'
import { devnetGenesis, devnetPosGenesis, type Genesis } from '../../../src/ledger/genesis.js'
import { devnetValidatorKey } from '../../../src/ledger/genesis-pos.js'
import type { GossipMessage, GossipVerdict } from '../../../src/net/network.js'
import { type ValidatorFault, ValidatorService } from '../../../src/node/validator.js'
import { proposalTopic, voteTopic } from '../../../src/relay/topics.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { equalBytes } from '../../../src/util/bytes.js'
import { systemClock } from '../../../src/util/clock.js'
import { createLogger } from '../../../src/util/log.js'
import { systemTimers } from '../../../src/util/timers.js'
import { inlineSignatures } from '../../helpers/chain.js'

const keys: KeyPair[] = [0, 1, 2, 3].map((i) =>
  keyPairFromSeed(sha256(new TextEncoder().encode(`validator test ${i}`))),
)
const validators: Validator[] = keys.map((k) => ({
  publicKey: k.publicKey,
  address: addressFromPublicKey(k.publicKey),
  power: 1n,
}))
// Short rounds: the test runs on real timers, and waits for progress, never for a time.
const timeouts = {
  propose: { baseMs: 300, deltaMs: 100, maxMs: 1000 },
  prevote: { baseMs: 150, deltaMs: 100, maxMs: 600 },
  precommit: { baseMs: 150, deltaMs: 100, maxMs: 600 },
}

type Handler = {
  validate: (msg: GossipMessage) => Promise<GossipVerdict>
}

/** Every node hears every other node's messages directly; verdicts and charges are recorded. */
class Hub {
  readonly subs = new Map<string, Map<string, Handler>>()
  readonly verdicts: Array<{ to: string; topic: string; verdict: GossipVerdict }> = []
  readonly charges: Array<{ by: string; peer: string; reason: string }> = []

  connect(name: string) {
    return {
      subscribe: (topic: string, validate: Handler['validate']) => {
        const m = this.subs.get(topic) ?? new Map<string, Handler>()
        this.subs.set(topic, m)
        m.set(name, { validate })
      },
      publish: async (topic: string, data: Uint8Array) => {
        this.deliver(name, topic, data)
        return 1
      },
      reportPeer: (peer: string, _penalty: number, reason: string) => {
        this.charges.push({ by: name, peer, reason })
      },
    }
  }

  deliver(from: string, topic: string, data: Uint8Array): void {
    for (const [to, h] of this.subs.get(topic) ?? []) {
      if (to === from) continue
      setImmediate(() => {
        void h.validate({ topic, data, from }).then((verdict) => this.verdicts.push({ to, topic, verdict }))
      })
    }
  }
}

const running: ValidatorService[] = []
afterEach(() => {
  for (const s of running.splice(0)) s.stop()
})

async function startValidator(
  hub: Hub,
  genesis: Genesis,
  i: number,
  submitEvidence?: (payload: Uint8Array) => Promise<unknown>,
  fault?: ValidatorFault,
  onAhead?: (peer: string) => void,
) {
  const store = new MemoryStore()
  await store.open()
  const engine = new PosEngine({ chainId: genesis.chainId, validators })
  const chain = await Chain.open({ store, genesis, engine, clock: systemClock, signatures: inlineSignatures })
  const service = new ValidatorService({
    chain,
    engine,
    mempool: { template: () => [] },
    net: hub.connect(`v${i}`),
    timers: systemTimers,
    log: createLogger('error', {}, () => {}),
    key: keys[i],
    timeouts,
    commitPauseMs: 20,
    submitEvidence,
    fault,
    onAhead,
  })
  service.start()
  running.push(service)
  return { chain, engine, service }
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function posGenesis(): Genesis {
  // Timestamps must only grow: start the chain in the past so blocks made now are on time.
  return { ...devnetGenesis({ initialTarget: POS_TARGET, powLimit: POS_TARGET }), timestampMs: Date.now() - 60_000 }
}

describe('the validator service', () => {
  it('four validators commit the same blocks, each stored with a commit of ⅔+ of the power', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => startValidator(hub, genesis, i)))
    await until(() => nodes.every((n) => n.chain.head.height >= 5), 'height 5 everywhere')
    for (let h = 1; h <= 5; h++) {
      const ids = new Set(nodes.map((n) => n.chain.index.mainAt(h)?.id))
      expect(ids.size).toBe(1)
      const [first] = nodes
      const id = first?.chain.index.mainAt(h)?.id as string
      const commit = decodeCommit((await first?.chain.getCommit(id)) as Uint8Array, 4)
      expect(() => verifyCommit(commit, first?.engine.schedule.setAt(h) as never, genesis.chainId)).not.toThrow()
    }
    expect(nodes.every((n) => n.chain.finalized?.id === n.chain.head.id)).toBe(true)
    expect(hub.charges).toEqual([])
  }, 60_000)

  it('goes on with one validator of four offline, its proposer turns timing out', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const nodes = await Promise.all([0, 1, 2].map((i) => startValidator(hub, genesis, i)))
    await until(() => nodes.every((n) => n.chain.head.height >= 6), 'height 6 on the three')
    const proposers = new Set(
      [1, 2, 3, 4, 5, 6].map((h) => {
        const entry = nodes[0]?.chain.index.mainAt(h)
        return entry ? Buffer.from(entry.header.fields.miner).toString('hex') : ''
      }),
    )
    // Only online validators' blocks are committed.
    const offline = Buffer.from(validators[3]?.address as Uint8Array).toString('hex')
    expect(proposers.has(offline)).toBe(false)
  }, 60_000)

  it('rejects a vote with a forged signature and charges its sender', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    await startValidator(hub, genesis, 0)
    const forged = signVote(
      genesis.chainId,
      { type: 'prevote', height: 1n, round: 0, blockHash: null, validator: validators[1]?.address as Uint8Array },
      (keys[2] as KeyPair).secretKey,
    )
    hub.deliver('mallory', voteTopic(genesis.chainId), encodeVote(forged))
    await until(() => hub.verdicts.some((v) => v.topic === voteTopic(genesis.chainId)), 'a verdict')
    expect(hub.verdicts.find((v) => v.topic === voteTopic(genesis.chainId))?.verdict).toBe('reject')
    expect(hub.charges.map((c) => c.peer)).toEqual(['mallory'])
  }, 30_000)
})

describe('the validator service, refusals', () => {
  it('rejects a proposal whose block is not the block it names, and charges its sender', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const { chain, engine } = await startValidator(hub, genesis, 0)
    const set = engine.schedule.setAt(1)
    const proposerIndex = set.proposer(0)
    const proposerKey = keys.find((k) =>
      equalBytes(addressFromPublicKey(k.publicKey), set.validator(proposerIndex).address),
    )
    const { fields, txs } = await chain.buildBlock({ miner: set.validator(proposerIndex).address, txs: [] })
    const block = new Block(await engine.seal(fields), txs)
    const proposal = signProposal(
      genesis.chainId,
      {
        height: 1n,
        round: 0,
        polRound: -1,
        blockHash: new Uint8Array(32).fill(7),
        proposer: set.validator(proposerIndex).address,
      },
      (proposerKey as KeyPair).secretKey,
    )
    hub.deliver(
      'mallory',
      proposalTopic(genesis.chainId),
      encodeProposalMessage({ proposal: encodeProposal(proposal), block: block.bytes }),
    )
    await until(
      () => hub.verdicts.some((v) => v.topic === proposalTopic(genesis.chainId) && v.to === 'v0'),
      'a verdict',
    )
    expect(hub.verdicts.find((v) => v.topic === proposalTopic(genesis.chainId))?.verdict).toBe('reject')
    expect(hub.charges).toEqual([{ by: 'v0', peer: 'mallory', reason: 'PROPOSAL_BLOCK_MISMATCH' }])
  }, 30_000)

  it('reports a double-signing validator in one evidence tx, however many conflicting votes it sends', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const reports: Uint8Array[] = []
    await startValidator(hub, genesis, 0, async (payload) => reports.push(payload))
    const offender = validators[2]?.address as Uint8Array
    for (const hashByte of [1, 2, 3]) {
      const vote = signVote(
        genesis.chainId,
        { type: 'prevote', height: 1n, round: 0, blockHash: new Uint8Array(32).fill(hashByte), validator: offender },
        (keys[2] as KeyPair).secretKey,
      )
      hub.deliver('v2', voteTopic(genesis.chainId), encodeVote(vote))
    }
    await until(() => hub.verdicts.filter((v) => v.topic === voteTopic(genesis.chainId)).length === 3, 'verdicts')
    expect(reports).toHaveLength(1)
    const evidence = decodeEvidence(reports[0] as Uint8Array)
    expect(equalBytes(evidence.voteA.validator, offender)).toBe(true)
    expect(evidence.voteA.height).toBe(1n)
  }, 30_000)

  it('an equivocating validator is reported by the honest ones, who still commit one block per height', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const reports: Uint8Array[] = []
    const honest = await Promise.all(
      [0, 1, 2].map((i) => startValidator(hub, genesis, i, async (p) => reports.push(p))),
    )
    await startValidator(hub, genesis, 3, undefined, { kind: 'equivocate' })
    await until(() => honest.every((n) => n.chain.head.height >= 3) && reports.length >= 3, 'height 3 and reports')
    for (const report of reports) {
      expect(equalBytes(decodeEvidence(report).voteA.validator, validators[3]?.address as Uint8Array)).toBe(true)
    }
    for (let h = 1; h <= 3; h++) expect(new Set(honest.map((n) => n.chain.index.mainAt(h)?.id)).size).toBe(1)
  }, 60_000)

  it('charges a vote from outside the set, ignores one for a height past the window, and refuses malformed bytes', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    await startValidator(hub, genesis, 0)
    const outsider = keyPairFromSeed(sha256(new TextEncoder().encode('not a validator')))
    const vote = (height: bigint, key: KeyPair) =>
      encodeVote(
        signVote(
          genesis.chainId,
          { type: 'prevote', height, round: 0, blockHash: null, validator: addressFromPublicKey(key.publicKey) },
          key.secretKey,
        ),
      )
    const topic = voteTopic(genesis.chainId)
    hub.deliver('outsider', topic, vote(1n, outsider))
    hub.deliver('faraway', topic, vote(50n, keys[1] as KeyPair))
    hub.deliver('garbage', topic, new Uint8Array([0x08, 0xff]))
    await until(() => hub.verdicts.filter((v) => v.topic === topic).length >= 3, 'three verdicts')
    expect(hub.charges.map((c) => [c.peer, c.reason]).sort()).toEqual([
      ['garbage', 'DECODE_MALFORMED'],
      ['outsider', 'VOTE_UNKNOWN_VALIDATOR'],
    ])
  }, 30_000)

  it('ignores a vote for the next epoch before the block that chooses its set, without an error', async () => {
    const hub = new Hub()
    const genesis = { ...devnetPosGenesis(4, { epochLength: 2 }), timestampMs: Date.now() - 60_000 }
    const store = new MemoryStore()
    await store.open()
    const engine = posEngineOf(genesis)
    const chain = await Chain.open({ store, genesis, engine, clock: systemClock, signatures: inlineSignatures })
    const errors: string[] = []
    const service = new ValidatorService({
      chain,
      engine,
      mempool: { template: () => [] },
      net: hub.connect('v0'),
      timers: systemTimers,
      log: createLogger('error', {}, (line) => errors.push(line)),
      key: devnetValidatorKey(0),
      timeouts,
      commitPauseMs: 20,
    })
    service.start()
    running.push(service)
    const key = devnetValidatorKey(1)
    const vote = signVote(
      genesis.chainId,
      { type: 'prevote', height: 2n, round: 0, blockHash: null, validator: addressFromPublicKey(key.publicKey) },
      key.secretKey,
    )
    const topic = voteTopic(genesis.chainId)
    hub.deliver('v1', topic, encodeVote(vote))
    await until(() => hub.verdicts.some((v) => v.topic === topic), 'a verdict')
    expect(hub.verdicts.find((v) => v.topic === topic)?.verdict).toBe('ignore')
    expect(errors).toEqual([])
  }, 30_000)

  it('a vote of the next height while ours is undecided names its sender as ahead (the caller syncs from it)', async () => {
    const hub = new Hub()
    const genesis = posGenesis()
    const ahead: string[] = []
    await startValidator(hub, genesis, 0, undefined, undefined, (peer) => ahead.push(peer))
    const key = keys[1] as KeyPair
    const vote = signVote(
      genesis.chainId,
      { type: 'prevote', height: 2n, round: 0, blockHash: null, validator: addressFromPublicKey(key.publicKey) },
      key.secretKey,
    )
    hub.deliver('v1', voteTopic(genesis.chainId), encodeVote(vote))
    await until(() => hub.verdicts.some((v) => v.topic === voteTopic(genesis.chainId)), 'a verdict')
    expect(ahead).toEqual(['v1'])
  }, 30_000)
})
