import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verify } from '../../../src/ledger/crypto.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { SignatureVerifier } from '../../../src/ledger/sigverify/pool.js'
import { WORKER_SOURCE } from '../../../src/ledger/sigverify/worker-source.js'
import { Tx } from '../../../src/ledger/tx.js'

const CHAIN_ID = 'peerchain-devnet'
const BATCH = 500
const KEYS = 50

function makeTxs(count: number, nonceBase = 0): Tx[] {
  const keys = Array.from({ length: KEYS }, (_, i) => devnetKey(i))
  return Array.from({ length: count }, (_, i) =>
    Tx.create(
      {
        chainId: CHAIN_ID,
        recipient: new Uint8Array(20).fill(i % 251),
        amount: BigInt(1000 + i),
        fee: 1n,
        nonce: BigInt(nonceBase + i),
      },
      keys[i % KEYS]!,
    ),
  )
}

/** The same tx with one bit of its signature flipped: a different id, an invalid signature. */
function withBadSignature(tx: Tx): Tx {
  const signature = new Uint8Array(tx.fields.signature)
  signature[17]! ^= 0x04
  return Tx.fromFields({ ...tx.fields, signature })
}

function replaced(txs: readonly Tx[], at: Record<number, Tx>): Tx[] {
  return txs.map((tx, i) => at[i] ?? tx)
}

/** Deterministic positions spread over the batch, chunk edges included (2 and 3 threads). */
function positions(): number[] {
  const out = [0, 1, 166, 167, 249, 250, 251, 333, 334, BATCH - 1]
  let x = 0x9e3779b9
  for (let k = 0; k < 6; k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out.push(x % BATCH)
  }
  return out
}

let txs: Tx[]
const verifiers: SignatureVerifier[] = []
function verifier(init: ConstructorParameters<typeof SignatureVerifier>[0] = {}): SignatureVerifier {
  const v = new SignatureVerifier(init)
  verifiers.push(v)
  return v
}

beforeAll(() => {
  txs = makeTxs(BATCH)
})

afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()))
})

describe('SignatureVerifier.verifyTxs', () => {
  it('returns -1 when every signature is valid, inline and in workers', async () => {
    expect(await verifier({ threads: 2 }).verifyTxs(txs)).toBe(-1)
    expect(await verifier({ threads: 2, inlineTxsMax: Number.POSITIVE_INFINITY }).verifyTxs(txs)).toBe(-1)
    expect(await verifier({ threads: 2 }).verifyTxs([])).toBe(-1)
    expect(await verifier({ threads: 2 }).verifyTxs(txs.slice(0, 3))).toBe(-1)
  })

  it('finds the exact index of one bad signature anywhere in a large batch', async () => {
    const two = verifier({ threads: 2 })
    const three = verifier({ threads: 3 })
    for (const at of positions()) {
      const batch = replaced(txs, { [at]: withBadSignature(txs[at]!) })
      expect(await two.verifyTxs(batch), `bad at ${at}`).toBe(at)
      expect(await three.verifyTxs(batch), `bad at ${at}`).toBe(at)
    }
  })

  it('reports the earliest of two bad signatures, in the same chunk or in different ones', async () => {
    const v = verifier({ threads: 2 })
    for (const [a, b] of [
      [10, 20],
      [10, 400],
      [249, 250],
      [300, 499],
    ] as const) {
      const batch = replaced(txs, { [a]: withBadSignature(txs[a]!), [b]: withBadSignature(txs[b]!) })
      expect(await v.verifyTxs(batch)).toBe(a)
    }
  })

  it('rejects a signature moved onto other fields (the message is covered)', async () => {
    const moved = Tx.fromFields({ ...txs[42]!.fields, amount: txs[42]!.fields.amount + 1n })
    expect(await verifier({ threads: 2 }).verifyTxs(replaced(txs, { 42: moved }))).toBe(42)
  })

  it('reports garbage public keys and wrong-length fields as invalid instead of throwing', async () => {
    const garbageKeys = [new Uint8Array(32).fill(0xff), new Uint8Array(32), new Uint8Array(32).fill(0x5a)]
    const variants = [
      ...garbageKeys.map((senderPubKey) => (tx: Tx) => Tx.fromFields({ ...tx.fields, senderPubKey })),
      (tx: Tx) => Tx.fromFields({ ...tx.fields, senderPubKey: tx.fields.senderPubKey.subarray(0, 31) }),
      (tx: Tx) => Tx.fromFields({ ...tx.fields, signature: new Uint8Array(0) }),
      (tx: Tx) => Tx.fromFields({ ...tx.fields, signature: new Uint8Array(65) }),
    ]
    const workers = verifier({ threads: 2 })
    const inline = verifier({ threads: 2, inlineTxsMax: Number.POSITIVE_INFINITY })
    for (const variant of variants) {
      for (const at of [0, 260, 499]) {
        const batch = replaced(txs, { [at]: variant(txs[at]!) })
        expect(await workers.verifyTxs(batch)).toBe(at)
        expect(await inline.verifyTxs(batch)).toBe(at)
      }
      // a bad one before a malformed one still wins
      const batch = replaced(txs, { 100: withBadSignature(txs[100]!), 300: variant(txs[300]!) })
      expect(await workers.verifyTxs(batch)).toBe(100)
    }
  })

  it('gives the same answers inline and in workers, and as crypto.verify one by one', async () => {
    const inline = verifier({ threads: 2, inlineTxsMax: Number.POSITIVE_INFINITY })
    const workers = verifier({ threads: 2, inlineTxsMax: 0 })
    const small = txs.slice(0, 12)
    const cases: Tx[][] = [
      small,
      replaced(small, { 5: withBadSignature(small[5]!) }),
      replaced(small, { 0: withBadSignature(small[0]!), 11: withBadSignature(small[11]!) }),
      replaced(txs, { 321: withBadSignature(txs[321]!) }),
    ]
    for (const batch of cases) {
      const expected = batch.findIndex((tx) => !verify(tx.fields.senderPubKey, tx.signingBytes, tx.fields.signature))
      expect(await inline.verifyTxs(batch)).toBe(expected)
      expect(await workers.verifyTxs(batch)).toBe(expected)
    }
    // inlineTxsMax: 0 sends even one tx to a worker
    expect(await workers.verifyTxs([withBadSignature(txs[0]!)])).toBe(0)
  })

  it('answers concurrent calls independently', async () => {
    const v = verifier({ threads: 2 })
    const bad = [-1, 0, 77, 250, 498]
    const batches = bad.map((at) => (at < 0 ? txs : replaced(txs, { [at]: withBadSignature(txs[at]!) })))
    expect(await Promise.all(batches.map((b) => v.verifyTxs(b)))).toEqual(bad)
  })
})

describe('SignatureVerifier signature cache', () => {
  // The cache key is the tx id, the hash of the tx's bytes including its
  // signature: marking a valid tx can never vouch for a copy with other
  // signature bytes. The tests below mark a tx with a corrupted signature
  // only to prove, by its acceptance, that a marked tx is not verified again.
  it('skips verification of a marked tx', async () => {
    const v = verifier({ threads: 2 })
    const forged = withBadSignature(txs[7]!)
    expect(v.isVerified(forged)).toBe(false)
    v.markVerified(forged)
    expect(v.isVerified(forged)).toBe(true)
    expect(await v.verifyTxs([forged])).toBe(-1)
    expect(await v.verifyTxs(replaced(txs, { 300: forged }))).toBe(-1)
    // an unmarked tx is verified as usual
    const other = withBadSignature(txs[8]!)
    expect(v.isVerified(other)).toBe(false)
    expect(await v.verifyTxs(replaced(txs, { 300: forged, 301: other }))).toBe(301)
  })

  it('keys entries by tx id, which covers the signature bytes', async () => {
    const v = verifier({ threads: 2 })
    const good = txs[9]!
    const forged = withBadSignature(good)
    expect(forged.id).not.toBe(good.id)
    v.markVerified(good)
    expect(v.isVerified(good)).toBe(true)
    expect(v.isVerified(forged)).toBe(false)
    expect(await v.verifyTxs([good, forged])).toBe(1)
  })

  it('is bounded: the least recently used entries go first, and size 0 turns it off', async () => {
    const v = verifier({ threads: 2, cacheSize: 4 })
    const [a, b, c, d, e] = [txs[0]!, txs[1]!, txs[2]!, txs[3]!, txs[4]!]
    for (const tx of [a, b, c, d, e]) v.markVerified(tx)
    expect([v.isVerified(a), v.isVerified(d), v.isVerified(e)]).toEqual([false, true, true])
    expect([a, b, c, d, e].filter((tx) => v.isVerified(tx)).length).toBeLessThanOrEqual(4)
    const off = verifier({ threads: 2, cacheSize: 0 })
    const forged = withBadSignature(a)
    off.markVerified(forged)
    expect(off.isVerified(forged)).toBe(false)
    expect(await off.verifyTxs([forged])).toBe(0)
  })

  it('is not written by verifyTxs', async () => {
    const v = verifier({ threads: 2 })
    expect(await v.verifyTxs(txs)).toBe(-1)
    expect(txs.some((tx) => v.isVerified(tx))).toBe(false)
  })
})

describe('SignatureVerifier workers', () => {
  it('starts workers on first large batch only and keeps them', async () => {
    const v = verifier({ threads: 2 })
    expect(v.workersAlive).toBe(0)
    await v.verifyTxs(txs.slice(0, 10))
    expect(v.workersAlive).toBe(0)
    await v.verifyTxs(txs)
    expect(v.workersAlive).toBe(2)
    await v.verifyTxs(txs)
    expect(v.workersAlive).toBe(2)
  })

  // The real worker, except that a batch of exactly one item crashes it.
  const crashOnOne = (crash: string): string => `
    {
      const port = require('node:worker_threads').parentPort
      const on = port.on.bind(port)
      port.on = (event, handler) => on(event, (msg) => {
        if (new DataView(msg.batch).getUint32(0, true) === 1) { ${crash} }
        handler(msg)
      })
    }
    ${WORKER_SOURCE}`

  it.each([
    ['throws', "throw new Error('injected crash')", /signature worker crashed: injected crash/],
    ['exits', 'process.exit(3)', /signature worker exited with code 3/],
  ])(
    'rejects the pending call with a plain Error when a worker %s, and replaces the worker',
    async (_, crash, message) => {
      const v = verifier({ threads: 1, inlineTxsMax: 0, workerSource: crashOnOne(crash) })
      expect(await v.verifyTxs(txs.slice(0, 20))).toBe(-1)
      expect(v.workersAlive).toBe(1)
      const err = await v.verifyTxs([txs[0]!]).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).name).toBe('Error')
      expect((err as Error).message).toMatch(message)
      expect(v.workersAlive).toBe(0)
      expect(await v.verifyTxs(replaced(txs.slice(0, 20), { 13: withBadSignature(txs[13]!) }))).toBe(13)
      expect(v.workersAlive).toBe(1)
    },
  )

  it.each([
    ['an index outside the chunk', '({ id: msg.id, firstInvalid: 1000 })'],
    ['an unknown job id', '({ id: -5, firstInvalid: -1 })'],
    ['no object', 'null'],
  ])('rejects with a plain Error when a worker replies with %s', async (_, reply) => {
    const liar = `const { parentPort } = require('node:worker_threads')
      parentPort.on('message', (msg) => parentPort.postMessage(${reply}))`
    const v = verifier({ threads: 1, inlineTxsMax: 0, workerSource: liar })
    await expect(v.verifyTxs(txs.slice(0, 20))).rejects.toThrow(/signature worker sent a bad reply/)
    expect(v.workersAlive).toBe(0)
  })

  it('rejects pending and later calls after close()', async () => {
    const v = verifier({ threads: 2 })
    const pending = expect(v.verifyTxs(txs)).rejects.toThrow(/closed/)
    await v.close()
    await pending
    await expect(v.verifyTxs(txs)).rejects.toThrow(/closed/)
    expect(v.workersAlive).toBe(0)
  })

  it('never keeps the process alive: it exits after close(), and when idle without it', async () => {
    const pool = fileURLToPath(new URL('../../../src/ledger/sigverify/pool.ts', import.meta.url))
    const genesis = fileURLToPath(new URL('../../../src/ledger/genesis.ts', import.meta.url))
    const tx = fileURLToPath(new URL('../../../src/ledger/tx.ts', import.meta.url))
    const script = (close: boolean): string => `
      import { SignatureVerifier } from ${JSON.stringify(pool)}
      import { devnetKey } from ${JSON.stringify(genesis)}
      import { Tx } from ${JSON.stringify(tx)}
      const key = devnetKey(0)
      const txs = Array.from({ length: 64 }, (_, i) =>
        Tx.create({ chainId: 'c', recipient: new Uint8Array(20), amount: 1n, fee: 1n, nonce: BigInt(i) }, key))
      const v = new SignatureVerifier({ threads: 2, inlineTxsMax: 0 })
      // top-level await on a worker reply: the busy worker holds the process open
      console.log('result', await v.verifyTxs(txs), v.workersAlive)
      ${close ? 'await v.close()' : ''}
    `
    const run = promisify(execFile)
    for (const close of [true, false]) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(close)], {
        timeout: 30_000,
      })
      expect(stdout.trim()).toBe('result -1 2')
    }
  })
})
