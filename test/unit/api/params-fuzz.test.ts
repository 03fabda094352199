/**
 * The parameters of every JSON-RPC method, fuzzed: each method's validator,
 * given any JSON value as `params` (and objects holding its own parameter
 * names with any values), either accepts it and the call answers, or refuses
 * it with a JSON-RPC error; never an internal error, and each within a time
 * budget. Batches up to and past the cap (1,024 elements) and a request of the
 * largest body the server reads are decided within 50 ms.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RpcDispatcher } from '../../../src/api/dispatcher.js'
import { RpcCode } from '../../../src/api/errors.js'
import { RPC_METHODS } from '../../../src/api/methods.js'
import { RPC_DEFAULTS } from '../../../src/api/server-options.js'
import { timedMsAsync } from '../../helpers/time-budget.js'
import { FakeNode } from './fake-node.js'

const RUNS = 300
/** One call with small params: validation and a fake node's answer. */
const CALL_BUDGET_MS = 25
/** The largest input: a full batch, or a body of the most bytes the server reads. */
const MAX_SIZE_BUDGET_MS = 50

/** Each method's parameter names, so the fuzzer also tries values under the names that are read. */
const PARAM_NAMES: Record<string, readonly string[]> = {
  net_connect: ['multiaddr'],
  net_ban: ['peerId', 'reason'],
  net_unban: ['peerId'],
  chain_getBlock: ['hash', 'height'],
  chain_getAccount: ['address'],
  tx_submit: ['tx'],
  tx_get: ['hash'],
  light_accountProof: ['address', 'hash', 'height'],
  light_txProof: ['hash'],
  mempool_list: ['limit'],
  wallet_unlock: ['name', 'passphrase', 'timeout'],
  wallet_lock: ['name'],
  wallet_send: ['from', 'to', 'amount', 'fee', 'memo'],
  validator_stake: ['amount', 'fee'],
  validator_unstake: ['amount', 'fee'],
  subscribe: ['topic'],
  unsubscribe: ['subscription'],
}

/** Codes a refusal or a node's answer may carry; INTERNAL_ERROR is never among them. */
const EXPECTED_CODES = new Set<number>([
  RpcCode.INVALID_PARAMS,
  RpcCode.INVALID_REQUEST,
  RpcCode.TX_REJECTED,
  RpcCode.NETWORK_ERROR,
  RpcCode.WALLET_ERROR,
  RpcCode.WEBSOCKET_REQUIRED,
  RpcCode.UNAVAILABLE,
])

let node: FakeNode
let dispatcher: RpcDispatcher
const internalErrors: unknown[] = []

beforeAll(async () => {
  node = await FakeNode.open()
  dispatcher = new RpcDispatcher(RPC_METHODS, node, {
    batchMax: RPC_DEFAULTS.batchMax,
    batchResponseBytesMax: RPC_DEFAULTS.batchResponseBytesMax,
    onInternalError: (err) => internalErrors.push(err),
  })
})
afterAll(async () => {
  await node.close()
})

/** Values that look like what validators expect, beside plain arbitrary JSON. */
const nearMiss = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 80 }),
  fc.constantFrom('0', '1', '-1', '1e3', '18446744073709551616', 'pc1', 'devnet-0', 'newHeads', '', ' '),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, -0, Number.MAX_SAFE_INTEGER, 86_400, 86_401),
)
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nearMiss)

function paramsFor(method: string): fc.Arbitrary<unknown> {
  const names = PARAM_NAMES[method] ?? []
  const named =
    names.length === 0
      ? fc.constant({})
      : fc.dictionary(fc.constantFrom(...names), anyValue, { maxKeys: names.length + 1 })
  const withExtra = fc.tuple(named, fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 2 }))
  return fc.oneof(
    named,
    withExtra.map(([a, b]) => ({ ...b, ...a })),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(undefined),
  )
}

async function callOnce(method: string, params: unknown): Promise<void> {
  const out = await dispatcher.handleValue({ jsonrpc: '2.0', id: 1, method, params })
  const answer = JSON.parse(out as string) as { result?: unknown; error?: { code: number; message: string } }
  if (answer.error) {
    expect(EXPECTED_CODES, `${method} ${JSON.stringify(params)}: ${answer.error.message}`).toContain(answer.error.code)
    expect(answer.error.message.length).toBeLessThan(600)
  } else {
    expect(Object.hasOwn(answer, 'result')).toBe(true)
  }
}

describe('JSON-RPC params, fuzzed', () => {
  for (const method of RPC_METHODS.keys()) {
    it(`${method}: any params are accepted or refused with a JSON-RPC error, within ${CALL_BUDGET_MS} ms`, async () => {
      await fc.assert(
        fc.asyncProperty(paramsFor(method), async (params) => {
          const ms = await timedMsAsync(() => callOnce(method, params), CALL_BUDGET_MS)
          expect(ms).toBeLessThan(CALL_BUDGET_MS)
        }),
        { numRuns: RUNS },
      )
      // Calls that ran may have mined, subscribed or banned on the fake node: that is fine, crashes are not.
      expect(internalErrors).toEqual([])
      await node.stopMining()
    })
  }

  it('decides a batch of any 100 calls, and refuses batches of 101 to 1,024, within 50 ms', async () => {
    const anyCall = fc.record({
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue({ maxDepth: 1 })),
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
      method: fc.oneof(fc.constantFrom(...RPC_METHODS.keys()), fc.string({ maxLength: 70 })),
      params: fc.jsonValue({ maxDepth: 2 }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.oneof(anyCall, fc.jsonValue({ maxDepth: 2 })), { minLength: 100, maxLength: 100 }),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 101, maxLength: 1024 }),
        ),
        async (batch) => {
          const ms = await timedMsAsync(async () => {
            const out = await dispatcher.handleValue(batch)
            if (out !== undefined) JSON.parse(out)
          }, MAX_SIZE_BUDGET_MS)
          expect(ms).toBeLessThan(MAX_SIZE_BUDGET_MS)
        },
      ),
      { numRuns: 40 },
    )
    const full = Array.from({ length: 1024 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'chain_head' }))
    const answer = JSON.parse((await dispatcher.handleValue(full)) as string)
    expect(answer.error.code).toBe(RpcCode.INVALID_REQUEST)
    expect(answer.error.data).toEqual({ batchMax: RPC_DEFAULTS.batchMax })
    await node.stopMining()
    expect(internalErrors).toEqual([])
  })

  it(`decides requests of the largest body read (${RPC_DEFAULTS.bodyBytesMax} bytes) within ${MAX_SIZE_BUDGET_MS} ms`, async () => {
    const fill = (bytes: number, make: (n: number) => unknown): string => {
      const probe = JSON.stringify(make(0))
      return JSON.stringify(make(bytes - probe.length))
    }
    const max = RPC_DEFAULTS.bodyBytesMax
    const bodies = [
      fill(max, (n) => ({ jsonrpc: '2.0', id: 1, method: 'tx_submit', params: { tx: 'ab'.repeat(n / 2) } })),
      fill(max, (n) => ({
        jsonrpc: '2.0',
        id: 1,
        method: 'wallet_unlock',
        params: { name: 'a', passphrase: 'x'.repeat(n) },
      })),
      fill(max, (n) => ({ jsonrpc: '2.0', id: 1, method: 'x'.repeat(n) })),
      fill(max, (n) => ({ jsonrpc: '2.0', id: 1, method: 'mempool_list', params: { [`k${'y'.repeat(n)}`]: 1 } })),
      JSON.stringify(
        Array.from({ length: 100 }, (_, i) => ({
          jsonrpc: '2.0',
          id: i,
          method: 'tx_submit',
          params: { tx: 'cd'.repeat(5000) },
        })),
      ),
    ]
    for (const body of bodies) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(max)
      const ms = await timedMsAsync(async () => {
        const out = await dispatcher.handleText(body)
        const answers = [JSON.parse(out as string)].flat() as Array<{ error?: { code: number } }>
        for (const a of answers) expect(a.error?.code).not.toBe(RpcCode.INTERNAL_ERROR)
      }, MAX_SIZE_BUDGET_MS)
      expect(ms).toBeLessThan(MAX_SIZE_BUDGET_MS)
    }
    expect(internalErrors).toEqual([])
  })
})
