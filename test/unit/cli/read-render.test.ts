import { describe, expect, it } from 'vitest'
import type {
  AddrManJson,
  BlockJson,
  MempoolJson,
  NodeStatusJson,
  PeerJson,
  PosValidatorsJson,
  TxJson,
} from '../../../src/api/json.js'
import {
  formatSync,
  formatValidator,
  renderAddrMan,
  renderBlock,
  renderMempool,
  renderPeers,
  renderStatus,
  renderTxLookup,
  renderValidators,
} from '../../../src/cli/read-render.js'

const NOW = 1_767_225_602_000
const HASH_A = 'a'.repeat(64)
const HASH_B = 'b'.repeat(64)
const ALICE = 'pc1w8n2ka76w0ku3vtnl2p4qnfek7leu54gyz5ssm'
const BOB = 'pc1sf5th8p4jch5wemuyf97j0w94xwkkx426wg06s'
const PEER = '12D3KooWSeEUv44QbKqDgzgN5L5KBWc1okjZm3LjoB85RU7M18FA'
const UNLIMITED = { nowMs: NOW, maxWidth: Number.POSITIVE_INFINITY }

const idle = {
  state: 'idle',
  doneHeight: 12,
  targetHeight: 12,
  blocksPerSecond: 0,
  etaSeconds: null,
  peer: null,
} as const

function status(overrides: Partial<NodeStatusJson> = {}): NodeStatusJson {
  return {
    peerId: PEER,
    chainId: 'peerchain-devnet',
    version: '0.1.0',
    head: { hash: HASH_A, height: 1234, timestamp: NOW - 12_000 },
    peers: { inbound: 2, outbound: 8 },
    sync: idle,
    mempool: { size: 12, bytes: 3482 },
    mining: { active: true, threads: 2, address: ALICE },
    consensus: 'pow',
    finalized: null,
    validator: null,
    ...overrides,
  }
}

const tx = (overrides: Partial<TxJson> = {}): TxJson => ({
  hash: HASH_B,
  chainId: 'peerchain-devnet',
  from: ALICE,
  senderPubKey: 'c'.repeat(64),
  to: BOB,
  amount: '1250000000',
  fee: '1000',
  nonce: '7',
  memo: Buffer.from('rent').toString('hex'),
  kind: 'transfer',
  ...overrides,
})

describe('formatSync', () => {
  it('shows progress, rate and ETA while syncing blocks', () => {
    expect(
      formatSync({
        state: 'blocks',
        doneHeight: 1234,
        targetHeight: 5000,
        blocksPerSecond: 35.2,
        etaSeconds: 107,
        peer: PEER,
      }),
    ).toBe('syncing 1,234/5,000 (24.7%) 35.2 blocks/s ETA 1m47s')
  })

  it('names the headers phase and an ETA not known yet', () => {
    expect(
      formatSync({
        state: 'headers',
        doneHeight: 0,
        targetHeight: 800,
        blocksPerSecond: 0,
        etaSeconds: null,
        peer: PEER,
      }),
    ).toBe('syncing headers 0/800 (0.0%) 0.0 blocks/s ETA unknown')
  })

  it('is "idle" at rest', () => {
    expect(formatSync(idle)).toBe('idle')
  })
})

describe('renderStatus', () => {
  it('prints aligned key/value lines with every field', () => {
    expect(renderStatus(status(), { nowMs: NOW })).toBe(
      [
        `head      #1234  ${HASH_A}  (12s ago)`,
        'peers     2 in, 8 out',
        'sync      idle',
        'mempool   12 txs, 3.4 KiB',
        `mining    on, 2 threads, paying ${ALICE}`,
        `peer id   ${PEER}`,
        'chain id  peerchain-devnet',
        'version   0.1.0',
      ].join('\n'),
    )
  })

  it('adds the sync peer while syncing and says when mining is off', () => {
    const text = renderStatus(
      status({
        sync: { state: 'blocks', doneHeight: 10, targetHeight: 20, blocksPerSecond: 5, etaSeconds: 2, peer: PEER },
        mining: { active: false, threads: 0, address: ALICE },
        mempool: { size: 1, bytes: 200 },
      }),
      { nowMs: NOW },
    )
    expect(text).toContain('sync       syncing 10/20 (50.0%) 5.0 blocks/s ETA 2s\n')
    expect(text).toContain(`sync peer  ${PEER}\n`)
    expect(text).toContain(`mining     off (payout address ${ALICE})\n`)
    expect(text).toContain('mempool    1 tx, 200 B\n')
  })

  it('shows the finalized block under proof of stake, and where a validator stands in its rounds', () => {
    const text = renderStatus(
      status({
        consensus: 'pos',
        finalized: { height: 1234, hash: HASH_A },
        validator: { address: BOB, height: 1235, round: 2, step: 'prevote', evidenceSeen: 1 },
      }),
      { nowMs: NOW },
    )
    expect(text.split('\n').slice(0, 4)).toEqual([
      `head       #1234  ${HASH_A}  (12s ago)`,
      `finalized  #1234  ${HASH_A}`,
      `validator  ${BOB}  at #1235, round 2, prevote; 1 double sign seen`,
      'peers      2 in, 8 out',
    ])
  })

  it('shows no validator line for a proof-of-stake node that runs none', () => {
    const text = renderStatus(status({ consensus: 'pos', finalized: { height: 1234, hash: HASH_A } }), { nowMs: NOW })
    expect(text).toContain(`finalized  #1234  ${HASH_A}\n`)
    expect(text).not.toContain('validator')
  })
})

describe('formatValidator', () => {
  it('counts double signs in words, from none', () => {
    const validator = { address: BOB, height: 7, round: 0, step: 'starting', evidenceSeen: 0 }
    expect(formatValidator(validator)).toBe(`${BOB}  at #7, round 0, starting; 0 double signs seen`)
    expect(formatValidator({ ...validator, evidenceSeen: 1200 })).toContain('; 1,200 double signs seen')
  })
})

describe('renderPeers', () => {
  const peers: PeerJson[] = [
    {
      id: PEER,
      addresses: [`/ip4/127.5.5.1/tcp/4001/p2p/${PEER}`],
      direction: 'outbound',
      group: 'lab:127.5.5',
      connectionType: 'block-relay',
      score: 0,
    },
    {
      id: '12D3KooWHZetQAAxZU3HvBghVRu5hgx1CHnLcitMA1yp3CoBasYs',
      addresses: ['/ip4/10.0.0.2/tcp/9333', '/ip4/10.0.0.2/tcp/9334/ws'],
      direction: 'inbound',
      group: 'local',
      connectionType: 'inbound',
      score: -12.5,
    },
    {
      id: '12D3KooWRsvR1wJQmLLBwEy1sKx7uQhF5r5tYjGyZ7Gz2qXkVm8q',
      addresses: ['/ip4/203.0.113.9/tcp/9333'],
      direction: 'outbound',
      group: 'ip4:203.0',
      connectionType: 'full-relay',
      score: 1,
    },
  ]

  it('tables the peers with short ids, connection type and network group, one line per address', () => {
    expect(renderPeers(peers, UNLIMITED)).toBe(
      [
        '3 peers: 1 in, 2 out, in 3 network groups',
        'ID                 TYPE         GROUP        SCORE  ADDRESS',
        '12D3KooW…RU7M18FA  block-relay  lab:127.5.5      0  /ip4/127.5.5.1/tcp/4001',
        '12D3KooW…3CoBasYs  inbound      local        -12.5  /ip4/10.0.0.2/tcp/9333',
        '                                                    /ip4/10.0.0.2/tcp/9334/ws',
        '12D3KooW…2qXkVm8q  full-relay   ip4:203.0        1  /ip4/203.0.113.9/tcp/9333',
      ].join('\n'),
    )
  })

  it('says so when there are none', () => {
    expect(renderPeers([], UNLIMITED)).toMatch(/^no peers connected/)
  })
})

describe('renderAddrMan', () => {
  const book: AddrManJson = {
    new: 1203,
    tried: 12,
    groups: [
      { group: 'ip4:203.0', new: 1000, tried: 2 },
      { group: 'as:64500', new: 200, tried: 10 },
      { group: 'ip6:2001:0db8', new: 3, tried: 0 },
    ],
  }

  it('gives the totals, then one row per group in the order the node gave', () => {
    expect(renderAddrMan(book, UNLIMITED)).toBe(
      [
        '1,215 addresses (1,203 new, 12 tried) in 3 network groups',
        'GROUP            NEW  TRIED',
        'ip4:203.0      1,000      2',
        'as:64500         200     10',
        'ip6:2001:0db8      3      0',
      ].join('\n'),
    )
  })

  it('lists the first groups only when asked to, and says how to see the rest', () => {
    const text = renderAddrMan(book, { ...UNLIMITED, groupsMax: 1 })
    expect(text.split('\n')).toHaveLength(4)
    expect(text).toContain('ip4:203.0')
    expect(text).not.toContain('as:64500')
    expect(text).toMatch(/\(2 more groups; --all lists every group\)$/)
  })

  it('says so when the node knows no address', () => {
    expect(renderAddrMan({ new: 0, tried: 0, groups: [] }, UNLIMITED)).toBe(
      '0 addresses (0 new, 0 tried) in 0 network groups: the node has learned no address yet',
    )
  })
})

describe('renderBlock', () => {
  const block: BlockJson = {
    hash: HASH_A,
    height: 12345,
    parentHash: HASH_B,
    timestamp: NOW - 65_000,
    txRoot: 'd'.repeat(64),
    stateRoot: 'e'.repeat(64),
    target: `0000${'f'.repeat(60)}`,
    miner: ALICE,
    reward: '5000001000',
    nonce: '296162',
    txs: [tx()],
  }

  it('shows the header fields and a table of the txs, in full when the width allows', () => {
    const text = renderBlock(block, UNLIMITED)
    const [header, table] = text.split('\n\n')
    expect(header).toBe(
      [
        'height      12345',
        `hash        ${HASH_A}`,
        `parent      ${HASH_B}`,
        'time        2025-12-31T23:58:57Z (1m05s ago)',
        `miner       ${ALICE}`,
        'reward      50.00001 PC',
        'txs         1',
        `tx root     ${'d'.repeat(64)}`,
        `state root  ${'e'.repeat(64)}`,
        `target      0000${'f'.repeat(60)}`,
        'nonce       296162',
      ].join('\n'),
    )
    expect(table?.split('\n')).toEqual([
      `${'HASH'.padEnd(66)}${'FROM'.padEnd(ALICE.length + 2)}${'TO'.padEnd(BOB.length + 2)} AMOUNT         FEE`,
      `${HASH_B}  ${ALICE}  ${BOB}  12.5 PC  0.00001 PC`,
    ])
  })

  it('cuts hashes and addresses, not amounts, to fit a terminal', () => {
    const lines = renderBlock(block, { nowMs: NOW, maxWidth: 100 }).split('\n\n')[1]?.split('\n') ?? []
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(100)
    expect(lines[1]).toContain('12.5 PC  0.00001 PC')
    expect(lines[1]).toMatch(/^bbbb+…bbbb+ {2}pc1w8n2k\w*…\w+ {2}pc1sf5t\w*…\w+ /)
  })

  it('says when the block has no transactions', () => {
    expect(renderBlock({ ...block, txs: [] }, UNLIMITED)).toMatch(/nonce {7}296162\n\nno transactions$/)
  })
})

describe('renderTxLookup', () => {
  it('shows where an included tx is, then its fields', () => {
    expect(renderTxLookup({ status: 'included', blockHash: HASH_A, height: 7, index: 3, tx: tx() })).toBe(
      [
        'status    included',
        `block     ${HASH_A}`,
        'height    7',
        'index     3',
        `hash      ${HASH_B}`,
        `from      ${ALICE}`,
        `to        ${BOB}`,
        'amount    12.5 PC',
        'fee       0.00001 PC',
        'nonce     7',
        'memo      "rent"',
        'chain id  peerchain-devnet',
      ].join('\n'),
    )
  })

  it('names the kind of a tx that is not a transfer, and shows an evidence payload', () => {
    const lines = renderTxLookup({
      status: 'pending',
      tx: tx({ kind: 'evidence', amount: '0', payload: 'abcd' }),
    }).split('\n')
    expect(lines.slice(1, 3)).toEqual([`hash      ${HASH_B}`, 'kind      evidence'])
    expect(lines).toContain('payload   abcd')
    const stake = renderTxLookup({ status: 'pending', tx: tx({ kind: 'stake' }) })
    expect(stake).toContain('kind      stake')
    expect(stake).not.toContain('payload')
  })

  it('says a pending tx is not in a block yet', () => {
    const text = renderTxLookup({ status: 'pending', tx: tx({ memo: '' }) })
    expect(text.split('\n')[0]).toBe('status    pending (in the mempool, not in a block yet)')
    expect(text).toContain('memo      (none)')
    expect(text).not.toMatch(/^(block|height|index) /m)
  })
})

describe('renderMempool', () => {
  const pool: MempoolJson = {
    size: 3,
    txs: [
      { hash: HASH_A, sender: ALICE, nonce: '0', fee: '1000', status: 'ready', kind: 'transfer' },
      { hash: HASH_B, sender: BOB, nonce: '12', fee: '250000000', status: 'future', kind: 'transfer' },
    ],
  }

  it('prints the size, says when the list is cut, and tables the txs', () => {
    expect(renderMempool(pool, UNLIMITED).split('\n')).toEqual([
      '3 pending transactions (the oldest 2 shown; --limit shows up to 1000)',
      `${'HASH'.padEnd(66)}${'SENDER'.padEnd(ALICE.length + 2)}NONCE         FEE  STATUS`,
      `${HASH_A}  ${ALICE}      0  0.00001 PC  ready`,
      `${HASH_B}  ${BOB}     12      2.5 PC  future`,
    ])
  })

  it('does not claim a cut when everything is listed', () => {
    expect(renderMempool({ size: 2, txs: pool.txs }, UNLIMITED).split('\n')[0]).toBe('2 pending transactions')
  })

  it('says when the pool is empty', () => {
    expect(renderMempool({ size: 0, txs: [] }, UNLIMITED)).toBe('the mempool is empty')
  })
})

describe('renderValidators', () => {
  const set: PosValidatorsJson = {
    height: 1235,
    epoch: 12,
    nextEpochHeight: 1300,
    totalPower: '3000',
    missedWindow: 1000,
    validators: [
      {
        address: ALICE,
        publicKey: 'ab'.repeat(32),
        power: '2000',
        stake: '200000000000',
        jailed: false,
        tombstoned: false,
        proposer: false,
        missed: 3,
      },
      {
        address: BOB,
        publicKey: 'cd'.repeat(32),
        power: '1000',
        stake: '100000000000',
        jailed: true,
        tombstoned: true,
        proposer: true,
        missed: 1000,
      },
    ],
  }

  it('lists address, power, stake, jail, missed votes of the window and marks the proposer', () => {
    expect(renderValidators(set, UNLIMITED)).toBe(
      [
        '2 validators at #1235 (epoch 12, the next from #1300), total power 3,000; missed: of the last 1,000 committed blocks',
        'ADDRESS                                    POWER     STAKE  JAILED           MISSED  PROPOSER',
        `${ALICE}  2,000  2,000 PC  no              3/1,000`,
        `${BOB}  1,000  1,000 PC  tombstoned  1,000/1,000  *`,
      ].join('\n'),
    )
  })

  it('says so when the chain has no epochs, and shortens addresses to fit', () => {
    const out = renderValidators({ ...set, nextEpochHeight: null, epoch: 0 }, { maxWidth: 70 })
    expect(out.split('\n')[0]).toContain('(epoch 0)')
    for (const line of out.split('\n').slice(1)) expect([...line].length).toBeLessThanOrEqual(70)
  })
})
