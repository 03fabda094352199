import { afterAll, describe, expect, it } from 'vitest'
import { VerifyError } from '../../../src/ledger/errors.js'
import { devnetKey } from '../../../src/ledger/genesis.js'
import { SignatureVerifier } from '../../../src/ledger/sigverify/pool.js'
import { SingleTxQueue } from '../../../src/ledger/sigverify/single-queue.js'
import { Tx } from '../../../src/ledger/tx.js'

function makeTx(i: number): Tx {
  return Tx.create(
    { chainId: 'peerchain-devnet', recipient: new Uint8Array(20).fill(3), amount: 1n, fee: 1n, nonce: BigInt(i) },
    devnetKey(i % 7),
  )
}

function withBadSignature(tx: Tx): Tx {
  const signature = new Uint8Array(tx.fields.signature)
  signature[9]! ^= 0x10
  return Tx.fromFields({ ...tx.fields, signature })
}

/** A batch verifier whose jobs the test settles by hand; invalid = txs in `bad`. */
class HeldJobs {
  jobs: Array<{ txs: readonly Tx[]; settle(): void }> = []
  readonly bad = new Set<string>()
  run = (txs: readonly Tx[]): Promise<number> =>
    new Promise((resolve) => {
      this.jobs.push({ txs, settle: () => resolve(txs.findIndex((tx) => this.bad.has(tx.id))) })
    })
}

/** Lets settled jobs' callbacks run (the next job starts from a finally). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('SingleTxQueue', () => {
  it('sends a check at once while a job slot is free, and batches those that arrive while all are busy', async () => {
    const held = new HeldJobs()
    const queue = new SingleTxQueue(held.run, 1, 100)
    const txs = Array.from({ length: 5 }, (_, i) => makeTx(i))
    const verdicts = txs.map((tx) => queue.verify(tx))
    expect(held.jobs.map((j) => j.txs.length)).toEqual([1])
    expect(queue.waitingCount).toBe(4)
    held.jobs[0]!.settle()
    await flush()
    expect(held.jobs.map((j) => j.txs.length)).toEqual([1, 4])
    held.jobs[1]!.settle()
    expect(await Promise.all(verdicts)).toEqual([true, true, true, true, true])
  })

  it('resolves the txs before the first invalid one, refuses it, and checks the rest again', async () => {
    const held = new HeldJobs()
    const queue = new SingleTxQueue(held.run, 1, 100)
    const txs = Array.from({ length: 5 }, (_, i) => makeTx(i))
    held.bad.add(txs[2]!.id)
    held.bad.add(txs[4]!.id)
    const first = queue.verify(makeTx(99))
    const verdicts = txs.map((tx) => queue.verify(tx))
    held.jobs[0]!.settle()
    await first
    await flush()
    held.jobs[1]!.settle() // txs 0..4: first invalid is 2
    await flush()
    expect(held.jobs[2]!.txs.map((t) => t.id)).toEqual([txs[3]!.id, txs[4]!.id])
    held.jobs[2]!.settle() // first invalid is 4 (index 1)
    expect(await Promise.all(verdicts)).toEqual([true, true, false, true, false])
  })

  it('keeps at most batchTxsMax txs in a job', () => {
    const held = new HeldJobs()
    const queue = new SingleTxQueue(held.run, 2, 3)
    for (let i = 0; i < 10; i++) void queue.verify(makeTx(i))
    expect(held.jobs.map((j) => j.txs.length)).toEqual([1, 1])
    expect(queue.waitingCount).toBe(8)
  })

  it('rejects every tx of a job whose worker failed (our bug, never a verdict)', async () => {
    const queue = new SingleTxQueue(async () => Promise.reject(new Error('worker died')), 1, 10)
    await expect(queue.verify(makeTx(0))).rejects.toThrow('worker died')
  })
})

describe('SignatureVerifier.verifyTx', () => {
  const verifier = new SignatureVerifier({ threads: 2 })
  afterAll(() => verifier.close())

  it('checks single txs on the worker threads, concurrently, and caches the valid ones', async () => {
    const txs = Array.from({ length: 200 }, (_, i) => makeTx(i))
    const bad = withBadSignature(txs[50]!)
    const results = await Promise.allSettled([...txs, bad].map((tx) => verifier.verifyTx(tx)))
    expect(results.slice(0, 200).every((r) => r.status === 'fulfilled')).toBe(true)
    const refused = results[200] as PromiseRejectedResult
    expect(refused.status).toBe('rejected')
    expect(refused.reason).toBeInstanceOf(VerifyError)
    expect((refused.reason as VerifyError).code).toBe('TX_BAD_SIGNATURE')
    expect(verifier.workersAlive).toBe(2)
    expect(verifier.isVerified(txs[0]!)).toBe(true)
    expect(verifier.isVerified(bad)).toBe(false)
  })
})
