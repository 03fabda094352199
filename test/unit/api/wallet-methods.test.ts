/** node_status and the wallet_* methods, over HTTP against a real ledger and a real node wallet. */
import { describe, expect, it } from 'vitest'
import { RpcCode } from '../../../src/api/errors.js'
import { addressFromPublicKey, formatAddress } from '../../../src/ledger/address.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { createKey, walletDir } from '../../../src/wallet/keystore.js'
import { invalidParam, rpcError, startApi } from './harness.js'

const WEAK_SCRYPT = { N: 2 ** 10, r: 8, p: 1 }
const addressOf = (i: number) => formatAddress(addressFromPublicKey(devnetKey(i).publicKey))

describe('node_status', () => {
  it('reports head, peers by direction, sync, mempool and mining', async () => {
    const h = await startApi()
    await h.client.call('wallet_send', { from: 'devnet-0', to: addressOf(1), amount: '5' })
    const status = await h.client.call('node_status')
    expect(status.head.height).toBe(0)
    expect(status.peers).toEqual({ inbound: 0, outbound: 1 })
    expect(status.sync.state).toBe('idle')
    expect(status.mempool.size).toBe(1)
    expect(status.mempool.bytes).toBeGreaterThan(100)
    expect(status.mining.address).toMatch(/^pc1/)
    await invalidParam(h.client.call('node_status', { verbose: true } as never), 'verbose')
  })
})

describe('wallet methods', () => {
  it('lists built-in keys as unlocked and sends from them at consecutive nonces', async () => {
    const h = await startApi()
    expect(await h.client.call('wallet_list')).toEqual([{ name: 'devnet-0', address: addressOf(0), unlocked: true }])
    // Sent together: the node serialises them, so they take consecutive nonces.
    const [first, second] = await Promise.all([
      h.client.call('wallet_send', { from: 'devnet-0', to: addressOf(1), amount: '1000', fee: '10' }),
      h.client.call('wallet_send', { from: 'devnet-0', to: addressOf(1), amount: '2000', memo: 'rent' }),
    ])
    expect(first.status).toBe('ready')
    expect(second.status).toBe('ready')
    const pool = await h.client.call('mempool_list', {})
    expect(pool.txs.map((t) => t.nonce).sort()).toEqual(['0', '1'])
    const pending = await h.client.call('tx_get', { hash: second.hash })
    expect(pending.status === 'pending' && pending.tx.fee).toBe('1000') // the default fee
    const before = BigInt((await h.client.call('chain_getAccount', { address: addressOf(1) })).balance)
    await h.node.mine()
    const after = BigInt((await h.client.call('chain_getAccount', { address: addressOf(1) })).balance)
    expect(after - before).toBe(3000n)
    expect((await h.client.call('tx_get', { hash: first.hash })).status).toBe('included')
  })

  it('unlocks a keystore key by passphrase, refuses a wrong one, and locks it again', async () => {
    const h = await startApi()
    const dir = walletDir(h.node.dataDir)
    await createKey(dir, 'alice', 'correct horse', {
      seed: devnetKey(2).secretKey.subarray(0, 32),
      scrypt: WEAK_SCRYPT,
    })
    const listed = await h.client.call('wallet_list')
    expect(listed).toContainEqual({ name: 'alice', address: addressOf(2), unlocked: false })

    const locked = await rpcError(h.client.call('wallet_send', { from: 'alice', to: addressOf(1), amount: '1' }))
    expect(locked.code).toBe(RpcCode.WALLET_ERROR)
    expect(locked.data).toEqual({ code: 'LOCKED' })
    const wrong = await rpcError(h.client.call('wallet_unlock', { name: 'alice', passphrase: 'wrong' }))
    expect(wrong.data).toEqual({ code: 'WRONG_PASSPHRASE' })

    const unlocked = await h.client.call('wallet_unlock', { name: 'alice', passphrase: 'correct horse' })
    expect(unlocked).toEqual({ name: 'alice', address: addressOf(2), unlocked: true })
    const sent = await h.client.call('wallet_send', { from: 'alice', to: addressOf(1), amount: '7' })
    expect(sent.status).toBe('ready')

    expect(await h.client.call('wallet_lock', { name: 'alice' })).toBe(true)
    const again = await rpcError(h.client.call('wallet_send', { from: 'alice', to: addressOf(1), amount: '1' }))
    expect(again.data).toEqual({ code: 'LOCKED' })
    const builtIn = await rpcError(h.client.call('wallet_lock', { name: 'devnet-0' }))
    expect(builtIn.data).toEqual({ code: 'BUILT_IN' })
  })

  it('unlocks for `timeout` seconds (default 300), then the key locks itself; refuses timeouts outside 1-86400', async () => {
    const h = await startApi()
    await createKey(walletDir(h.node.dataDir), 'alice', 'pw', { scrypt: WEAK_SCRYPT })
    const aliceUnlocked = async () => (await h.client.call('wallet_list')).find((k) => k.name === 'alice')?.unlocked
    const time = h.node.walletTime
    await h.client.call('wallet_unlock', { name: 'alice', passphrase: 'pw', timeout: 2 })
    await time.run({ untilMs: time.nowMs() + 1_999 })
    expect(await aliceUnlocked()).toBe(true)
    await time.run({ untilMs: time.nowMs() + 1 })
    expect(await aliceUnlocked()).toBe(false)
    await h.client.call('wallet_unlock', { name: 'alice', passphrase: 'pw' })
    await time.run({ untilMs: time.nowMs() + 299_999 })
    expect(await aliceUnlocked()).toBe(true)
    await time.run({ untilMs: time.nowMs() + 1 })
    expect(await aliceUnlocked()).toBe(false)
    for (const timeout of [0, 86_401, 1.5, '60']) {
      await invalidParam(
        h.client.call('wallet_unlock', { name: 'alice', passphrase: 'pw', timeout } as never),
        'timeout',
      )
    }
  })

  it('answers WALLET_ERROR PASSPHRASE_RATE_LIMITED after 5 wrong passphrases for a key', async () => {
    const h = await startApi()
    await createKey(walletDir(h.node.dataDir), 'alice', 'pw', { scrypt: WEAK_SCRYPT })
    for (let i = 0; i < 5; i++) {
      const err = await rpcError(h.client.call('wallet_unlock', { name: 'alice', passphrase: 'wrong' }))
      expect(err.data).toEqual({ code: 'WRONG_PASSPHRASE' })
    }
    const limited = await rpcError(h.client.call('wallet_unlock', { name: 'alice', passphrase: 'pw' }))
    expect(limited.code).toBe(RpcCode.WALLET_ERROR)
    expect(limited.data).toEqual({ code: 'PASSPHRASE_RATE_LIMITED' })
    expect(limited.message).toMatch(/try again in 10 s/)
  })

  it('names unknown keys and passes the mempool verdict through as TX_REJECTED', async () => {
    const h = await startApi()
    const unknown = await rpcError(h.client.call('wallet_send', { from: 'bob', to: addressOf(1), amount: '1' }))
    expect(unknown.data).toEqual({ code: 'NOT_FOUND' })
    const missing = await rpcError(h.client.call('wallet_unlock', { name: 'bob', passphrase: 'x' }))
    expect(missing.data).toEqual({ code: 'NOT_FOUND' })
    const tooMuch = await rpcError(
      h.client.call('wallet_send', { from: 'devnet-0', to: addressOf(1), amount: '1000000000000000000' }),
    )
    expect(tooMuch.code).toBe(RpcCode.TX_REJECTED)
    expect(tooMuch.data).toMatchObject({ code: 'TX_INSUFFICIENT_BALANCE' })
  })

  it('validates every parameter and names it', async () => {
    const h = await startApi()
    const send = (params: Record<string, unknown>) =>
      h.client.call('wallet_send', { from: 'devnet-0', to: addressOf(1), amount: '1', ...params } as never)
    await invalidParam(send({ amount: '0' }), 'amount')
    await invalidParam(send({ amount: '1.5' }), 'amount')
    await invalidParam(send({ amount: 5 }), 'amount')
    await invalidParam(send({ amount: '007' }), 'amount')
    await invalidParam(send({ fee: '18446744073709551616' }), 'fee')
    await invalidParam(send({ memo: 'x'.repeat(10_000) }), 'memo')
    await invalidParam(send({ to: `${addressOf(1).slice(0, -1)}q` }), 'to')
    await invalidParam(send({ from: '../etc/passwd' }), 'from')
    await invalidParam(send({ extra: 1 }), 'extra')
    await invalidParam(h.client.call('wallet_unlock', { name: 'alice' } as never), 'passphrase')
    await invalidParam(h.client.call('wallet_lock', {} as never), 'name')
  })
})
