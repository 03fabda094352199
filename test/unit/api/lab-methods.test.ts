import { describe, expect, it } from 'vitest'
import { RpcError } from '../../../src/api/errors.js'
import { withLabMethods } from '../../../src/api/lab-methods.js'
import { isPrivileged } from '../../../src/api/method-classes.js'
import { type CallContext, RPC_METHODS } from '../../../src/api/methods.js'
import { Params } from '../../../src/api/params.js'

function setup() {
  const calls: Array<string[][] | null> = []
  const methods = withLabMethods(RPC_METHODS, {
    partition: async (groups) => {
      calls.push(groups)
      return { closed: 3 }
    },
  })
  const call = (params: unknown) =>
    (methods.get('lab_partition') as (p: Params, ctx: CallContext) => unknown)(new Params(params), {} as CallContext)
  return { methods, calls, call }
}

describe('lab_partition', () => {
  it('exists only in a table built with the lab methods, and needs the API token', () => {
    expect(RPC_METHODS.has('lab_partition')).toBe(false)
    expect(setup().methods.has('lab_partition')).toBe(true)
    expect(setup().methods.has('node_info')).toBe(true)
    expect(isPrivileged('lab_partition')).toBe(true)
  })

  it('passes groups or null through and answers with the connections closed', async () => {
    const { call, calls } = setup()
    expect(await call({ groups: [['127.0.1.1'], ['127.0.2.1', '127.0.2.2']] })).toEqual({ closed: 3 })
    expect(await call({ groups: null })).toEqual({ closed: 3 })
    expect(calls).toEqual([[['127.0.1.1'], ['127.0.2.1', '127.0.2.2']], null])
  })

  it('refuses bad groups with invalid params naming "groups"', () => {
    const { call } = setup()
    for (const groups of ['127.0.1.1', [['not-an-ip']], [['127.0.1.1'], ['127.0.1.1']], [[1]], [{}]]) {
      let err: unknown
      try {
        call({ groups })
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(groups)).toBeInstanceOf(RpcError)
      expect((err as RpcError).message).toMatch(/"groups" must be/)
    }
    expect(() => call({})).toThrow(/"groups" is required/)
    expect(() => call({ groups: null, extra: 1 })).toThrow(/unknown parameter/)
  })
})
