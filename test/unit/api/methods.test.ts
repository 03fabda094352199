import { describe, expect, it } from 'vitest'
import { bigintFromJson } from '../../../src/api/json.js'
import { GENERATE_BLOCKS_MAX, MEMPOOL_LIST_MAX } from '../../../src/api/methods.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { toHex } from '../../../src/util/bytes.js'
import { minerAddress, transfer } from '../../helpers/chain.js'
import { FAKE_PEER_ID } from './fake-node.js'
import { invalidParam, rpcError, startApi } from './harness.js'

const devnetAddress = (i: number): string => formatAddress(addressFromPublicKey(devnetKey(i).publicKey))
const txHex = (from: number, nonce: bigint): string => toHex(transfer(from, 1, nonce).bytes)
const HASH_ZERO = '0'.repeat(64)

describe('node_info', () => {
  it('returns the node summary', async () => {
    const { client, node } = await startApi()
    const info = await client.call('node_info')
    expect(info).toEqual({
      peerId: FAKE_PEER_ID,
      chainId: 'peerchain-devnet',
      genesisHash: node.ledger.chain.genesisBlock.id,
      listenAddresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${FAKE_PEER_ID}`],
      role: 'miner',
      mining: false,
      head: { hash: node.ledger.chain.genesisBlock.id, height: 0 },
      peers: 1,
      version: '0.1.0',
    })
  })

  it('refuses parameters it does not take', async () => {
    const { client } = await startApi()
    const err = await invalidParam(client.call<unknown>('node_info', { verbose: true }), 'verbose')
    expect(err.message).toContain('unknown parameter')
  })

  it('accepts an empty positional array as no parameters, and refuses a non-empty one', async () => {
    const { client } = await startApi()
    await expect(client.call<unknown>('node_info', [] as unknown as Record<string, unknown>)).resolves.toMatchObject({
      role: 'miner',
    })
    await invalidParam(client.call<unknown>('chain_getBlock', [0] as unknown as Record<string, unknown>), 'params')
  })
})

describe('net_*', () => {
  it('net_peers lists the peers', async () => {
    const { client, node } = await startApi()
    expect(await client.call('net_peers')).toEqual(node.peerList)
  })

  it('net_addrman answers the new/tried counts and the rows by group, and takes no params', async () => {
    const { client, node } = await startApi()
    expect(await client.call('net_addrman')).toEqual(node.addrmanStats)
    await invalidParam(client.call<unknown>('net_addrman', { group: 'x' } as unknown as Record<string, never>), 'group')
  })

  it('net_connect dials and answers with the peer id', async () => {
    const { client } = await startApi()
    const result = await client.call('net_connect', { multiaddr: '/ip4/10.0.0.2/tcp/4001/p2p/12D3KooWOther' })
    expect(result).toEqual({ peerId: '12D3KooWOther' })
  })

  it('net_connect passes the node’s dial failure through', async () => {
    const { client } = await startApi()
    const err = await rpcError(client.call('net_connect', { multiaddr: '/ip4/10.0.0.2/tcp/9/p2p/12D3KooWOther' }))
    expect(err.code).toBe(-32020)
    expect(err.message).toContain('dial failed')
  })

  it('net_connect validates the multiaddr', async () => {
    const { client } = await startApi()
    await invalidParam(client.call('net_connect', { multiaddr: 'ip4/1.2.3.4' }), 'multiaddr')
    await invalidParam(client.call('net_connect', { multiaddr: '/ip4/1.2.3.4 /tcp/1' }), 'multiaddr')
    await invalidParam(client.call('net_connect', { multiaddr: `/${'a'.repeat(1024)}` }), 'multiaddr')
    const missing = await invalidParam(client.call<unknown>('net_connect', {}), 'multiaddr')
    expect(missing.message).toContain('is required')
  })

  it('net_ban bans with a reason (or a default one) and net_unban lifts it', async () => {
    const { client, node } = await startApi()
    expect(await client.call('net_ban', { peerId: '12D3KooWBad', reason: 'spam' })).toBe(true)
    expect(await client.call('net_ban', { peerId: 'QmOther' })).toBe(true)
    expect(node.bans).toEqual(
      new Map([
        ['12D3KooWBad', 'spam'],
        ['QmOther', 'banned over RPC'],
      ]),
    )
    expect(await client.call('net_unban', { peerId: '12D3KooWBad' })).toBe(true)
    expect([...node.bans.keys()]).toEqual(['QmOther'])
  })

  it('net_ban and net_unban validate their parameters', async () => {
    const { client } = await startApi()
    await invalidParam(client.call('net_ban', { peerId: '12D3/../x' }), 'peerId')
    await invalidParam(client.call('net_ban', { peerId: 'a'.repeat(129) }), 'peerId')
    await invalidParam(client.call('net_ban', { peerId: 'Qm1', reason: 'x'.repeat(257) }), 'reason')
    await invalidParam(client.call<unknown>('net_ban', { peerId: 'Qm1', reason: 7 }), 'reason')
    await invalidParam(client.call<unknown>('net_unban', {}), 'peerId')
    await invalidParam(client.call<unknown>('net_unban', { peerId: 42 }), 'peerId')
  })
})

describe('chain_head and chain_getBlock', () => {
  it('chain_head follows the chain', async () => {
    const { client, node } = await startApi()
    const genesis = await client.call('chain_head')
    expect(genesis).toMatchObject({ hash: node.ledger.chain.genesisBlock.id, height: 0 })
    const block = await node.mine()
    const head = await client.call('chain_head')
    expect(head).toEqual({
      hash: block.id,
      height: 1,
      totalWork: node.ledger.chain.head.totalWork.toString(),
      timestamp: block.header.timestampMs,
      stateRoot: toHex(block.header.fields.stateRoot),
      finalizedHeight: null,
      finalizedHash: null,
    })
    expect(bigintFromJson(head.totalWork)).toBeGreaterThan(bigintFromJson(genesis.totalWork))
  })

  it('chain_getBlock finds a block by hash and by height, with its txs', async () => {
    const { client, node } = await startApi()
    const tx = transfer(0, 1, 0n, 5000n, 7n)
    await node.ledger.submitTx(tx)
    const block = await node.mine()
    const byHash = await client.call('chain_getBlock', { hash: block.id })
    const byHeight = await client.call('chain_getBlock', { height: 1 })
    expect(byHeight).toEqual(byHash)
    expect(byHash).toMatchObject({
      hash: block.id,
      height: 1,
      parentHash: node.ledger.chain.genesisBlock.id,
      miner: formatAddress(minerAddress(100)),
      reward: block.header.fields.reward.toString(),
      nonce: block.header.fields.nonce.toString(),
    })
    expect(byHash?.target).toMatch(/^[0-9a-f]{64}$/)
    expect(byHash?.txs).toEqual([
      {
        hash: tx.id,
        chainId: 'peerchain-devnet',
        from: devnetAddress(0),
        senderPubKey: toHex(devnetKey(0).publicKey),
        to: devnetAddress(1),
        amount: '5000',
        fee: '7',
        nonce: '0',
        memo: '',
        kind: 'transfer',
      },
    ])
  })

  it('chain_getBlock answers null for an unknown hash or a height above the head', async () => {
    const { client } = await startApi()
    expect(await client.call('chain_getBlock', { hash: HASH_ZERO })).toBeNull()
    expect(await client.call('chain_getBlock', { height: 5 })).toBeNull()
  })

  it('chain_getBlock wants exactly one of hash and height, each well-formed', async () => {
    const { client } = await startApi()
    await invalidParam(client.call('chain_getBlock', {} as { height: number }), 'hash')
    await invalidParam(client.call('chain_getBlock', { hash: HASH_ZERO, height: 0 } as { height: number }), 'height')
    for (const hash of [`0x${'0'.repeat(62)}`, 'A'.repeat(64), '0'.repeat(63), '0'.repeat(66), 12]) {
      await invalidParam(client.call('chain_getBlock', { hash } as { hash: string }), 'hash')
    }
    for (const height of [-1, 1.5, '1', 2 ** 53, null]) {
      await invalidParam(client.call('chain_getBlock', { height } as { height: number }), 'height')
    }
    await invalidParam(client.call('chain_getBlock', { heigth: 1 } as unknown as { height: number }), 'heigth')
  })
})

describe('chain_getAccount', () => {
  it('reads an account at the head', async () => {
    const { client, node } = await startApi()
    const before = await client.call('chain_getAccount', { address: devnetAddress(0) })
    expect(before).toEqual({ address: devnetAddress(0), balance: '100000000000000', nonce: '0' })
    await node.ledger.submitTx(transfer(0, 1, 0n, 1000n, 10n))
    await node.mine()
    const after = await client.call('chain_getAccount', { address: devnetAddress(0) })
    expect(after).toEqual({ address: devnetAddress(0), balance: (100000000000000n - 1010n).toString(), nonce: '1' })
  })

  it('reads an unknown address as empty', async () => {
    const { client } = await startApi()
    const address = devnetAddress(500)
    expect(await client.call('chain_getAccount', { address })).toEqual({ address, balance: '0', nonce: '0' })
  })

  it('validates the address', async () => {
    const { client } = await startApi()
    const good = devnetAddress(0)
    const flipped = `${good.slice(0, -1)}${good.endsWith('q') ? 'p' : 'q'}`
    const err = await invalidParam(client.call('chain_getAccount', { address: flipped }), 'address')
    expect(err.message).toContain('invalid address')
    await invalidParam(client.call('chain_getAccount', { address: good.replace(/^pc/, 'bc') }), 'address')
    await invalidParam(client.call('chain_getAccount', { address: toHex(minerAddress(1)) }), 'address')
    await invalidParam(client.call('chain_getAccount', { address: 'pc1'.padEnd(200, 'q') }), 'address')
    await invalidParam(client.call('chain_getAccount', { address: 1 } as unknown as { address: string }), 'address')
  })
})

describe('tx_submit', () => {
  it('admits a signed tx as ready, or as future past a nonce gap', async () => {
    const { client } = await startApi()
    const tx = transfer(0, 1, 0n)
    expect(await client.call('tx_submit', { tx: toHex(tx.bytes) })).toEqual({ hash: tx.id, status: 'ready' })
    expect(await client.call('tx_submit', { tx: txHex(0, 2n) })).toMatchObject({ status: 'future' })
  })

  it('turns a VerifyError into TX_REJECTED with the rule code', async () => {
    const { client, node } = await startApi()
    await client.call('tx_submit', { tx: txHex(0, 0n) })
    const duplicate = await rpcError(client.call('tx_submit', { tx: txHex(0, 0n) }))
    expect(duplicate.code).toBe(-32010)
    expect(duplicate.message).toBe('transaction rejected')
    expect(duplicate.data).toMatchObject({ code: 'MEMPOOL_DUPLICATE' })
    await node.mine()
    const stale = await rpcError(client.call('tx_submit', { tx: txHex(0, 0n) }))
    expect(stale.code).toBe(-32010)
    expect(stale.data).toEqual({ code: 'TX_NONCE_TOO_LOW', reason: 'nonce 0 < account nonce 1' })
  })

  it('answers bytes that do not decode with TX_REJECTED and a DECODE_ code', async () => {
    const { client } = await startApi()
    const err = await rpcError(client.call('tx_submit', { tx: 'ffff' }))
    expect(err.code).toBe(-32010)
    expect((err.data as { code: string }).code).toMatch(/^DECODE_/)
  })

  it('validates the hex', async () => {
    const { client } = await startApi()
    const good = txHex(0, 0n)
    for (const tx of ['', `0x${good}`, good.toUpperCase(), good.slice(1), 'zz', 'ab'.repeat(4097), 5]) {
      await invalidParam(client.call('tx_submit', { tx } as { tx: string }), 'tx')
    }
    await invalidParam(client.call('tx_submit', {} as { tx: string }), 'tx')
  })
})

describe('tx_get', () => {
  it('finds a pending tx, then the same tx included, and nothing for an unknown hash', async () => {
    const { client, node } = await startApi()
    const tx = transfer(2, 3, 0n)
    await client.call('tx_submit', { tx: toHex(tx.bytes) })
    const pending = await client.call('tx_get', { hash: tx.id })
    expect(pending).toMatchObject({ status: 'pending', tx: { hash: tx.id, from: devnetAddress(2) } })
    const block = await node.mine()
    const included = await client.call('tx_get', { hash: tx.id })
    expect(included).toMatchObject({
      status: 'included',
      blockHash: block.id,
      height: 1,
      index: 0,
      tx: { hash: tx.id },
    })
    expect(await client.call('tx_get', { hash: HASH_ZERO })).toEqual({ status: 'unknown' })
  })

  it('validates the hash', async () => {
    const { client } = await startApi()
    await invalidParam(client.call('tx_get', { hash: 'abc' }), 'hash')
    await invalidParam(client.call('tx_get', {} as { hash: string }), 'hash')
  })
})

describe('miner_generate', () => {
  it('mines the asked number of blocks on the head, one after another, with the pool txs in the first', async () => {
    const { client, node } = await startApi()
    const tx = transfer(0, 1, 0n)
    await client.call('tx_submit', { tx: toHex(tx.bytes) })
    const mined = await client.call('miner_generate', { blocks: 2 })
    expect(mined.map((b) => b.height)).toEqual([1, 2])
    expect(node.ledger.chain.head.id).toBe(mined[1]?.hash)
    expect((await client.call('tx_get', { hash: tx.id })).status).toBe('included')
    expect(await client.call('miner_generate')).toHaveLength(1)
  })

  it('validates the block count', async () => {
    const { client } = await startApi()
    for (const blocks of [0, GENERATE_BLOCKS_MAX + 1, 1.5, '2']) {
      await invalidParam(client.call('miner_generate', { blocks } as { blocks: number }), 'blocks')
    }
  })
})

describe('mempool_list', () => {
  it('lists the pending txs, oldest first, up to the limit', async () => {
    const { client } = await startApi()
    const txs = [transfer(0, 1, 0n), transfer(0, 1, 1n), transfer(4, 1, 3n)]
    for (const tx of txs) await client.call('tx_submit', { tx: toHex(tx.bytes) })
    const all = await client.call('mempool_list')
    expect(all.size).toBe(3)
    expect(all.txs).toEqual([
      { hash: txs[0]?.id, sender: devnetAddress(0), nonce: '0', fee: '10', status: 'ready', kind: 'transfer' },
      { hash: txs[1]?.id, sender: devnetAddress(0), nonce: '1', fee: '10', status: 'ready', kind: 'transfer' },
      { hash: txs[2]?.id, sender: devnetAddress(4), nonce: '3', fee: '10', status: 'future', kind: 'transfer' },
    ])
    const one = await client.call('mempool_list', { limit: 1 })
    expect(one).toEqual({ size: 3, txs: all.txs.slice(0, 1) })
  })

  it(`never returns more than ${MEMPOOL_LIST_MAX} txs, whatever the node answers`, async () => {
    const { client, node } = await startApi()
    await client.call('tx_submit', { tx: txHex(0, 0n) })
    node.mempoolOverflow = MEMPOOL_LIST_MAX + 500
    const list = await client.call('mempool_list')
    expect(list.size).toBe(MEMPOOL_LIST_MAX + 500)
    expect(list.txs.length).toBe(MEMPOOL_LIST_MAX)
    expect((await client.call('mempool_list', { limit: 10 })).txs.length).toBe(10)
  })

  it('validates the limit', async () => {
    const { client } = await startApi()
    for (const limit of [0, MEMPOOL_LIST_MAX + 1, 2.5, '5']) {
      await invalidParam(client.call('mempool_list', { limit } as { limit: number }), 'limit')
    }
  })
})

describe('miner_start and miner_stop', () => {
  it('switch mining on and off', async () => {
    const { client, node } = await startApi()
    expect(await client.call('miner_start')).toBe(true)
    expect(node.mining).toBe(true)
    expect((await client.call('node_info')).mining).toBe(true)
    expect(await client.call('miner_stop')).toBe(true)
    expect(node.mining).toBe(false)
  })

  it('pass the node’s refusal through', async () => {
    const { client, node } = await startApi()
    node.role = 'full'
    const err = await rpcError(client.call('miner_start'))
    expect(err.code).toBe(-32030)
    await invalidParam(client.call('miner_stop', { now: true } as unknown as Record<string, never>), 'now')
  })
})

describe('errors', () => {
  it('answers an unknown method with -32601', async () => {
    const { client } = await startApi()
    const err = await rpcError(client.call('chain_nope'))
    expect(err.code).toBe(-32601)
    expect(err.message).toContain('chain_nope')
    // Inherited object members are not methods.
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await rpcError(client.call(name))).code).toBe(-32601)
    }
  })

  it('answers subscribe over HTTP with WEBSOCKET_REQUIRED', async () => {
    const { client } = await startApi()
    expect((await rpcError(client.call('subscribe', { topic: 'newHeads' }))).code).toBe(-32002)
    expect((await rpcError(client.call('unsubscribe', { subscription: '1' }))).code).toBe(-32002)
  })

  it('answers a node failure with -32603 and no detail, and reports it', async () => {
    const { client, node, internalErrors, server } = await startApi()
    node.fault = new Error('secret detail at /home/node/db')
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'net_peers' }),
    })
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } })
    expect(text).not.toContain('secret')
    expect(text).not.toContain('at ')
    expect(internalErrors).toEqual([node.fault])
    // and the server carries on
    node.fault = undefined
    expect(await client.call('net_peers')).toHaveLength(1)
  })

  it('answers a result JSON cannot hold (a bigint) with -32603', async () => {
    const { client, node, internalErrors } = await startApi()
    node.peerList = [
      {
        id: 'x',
        addresses: [],
        direction: 'inbound',
        group: 'local',
        connectionType: 'inbound',
        score: 1n as unknown as number,
      },
    ]
    expect((await rpcError(client.call('net_peers'))).code).toBe(-32603)
    expect(internalErrors).toHaveLength(1)
  })
})
