/** `peerchain devnet --light N`: light nodes after the others, on either engine, started with --role light. */
import { describe, expect, it } from 'vitest'
import { devnetNodeArgs, planDevnet } from '../../../src/cli/devnet.js'
import { UsageError } from '../../../src/cli/errors.js'

const flags = { logLevel: 'warn' }

describe('devnet --light', () => {
  it('appends light nodes to the plan; none by default', () => {
    expect(planDevnet({ ...flags }).roles).toEqual(['miner', 'full', 'full'])
    expect(planDevnet({ ...flags, nodes: '2', light: '2' }).roles).toEqual(['miner', 'full', 'light', 'light'])
  })

  it('appends light nodes to a proof-of-stake plan too', () => {
    expect(planDevnet({ ...flags, consensus: 'pos', validators: '3', light: '1' }).roles).toEqual([
      'validator',
      'validator',
      'validator',
      'light',
    ])
  })

  it('is refused past the node cap, on either engine', () => {
    expect(() => planDevnet({ ...flags, nodes: '60', light: '5' })).toThrow(UsageError)
    expect(() => planDevnet({ ...flags, consensus: 'pos', nodes: '60', light: '5' })).toThrow(UsageError)
  })

  it('starts a light node with --role light, no mining and no node wallet accounts', () => {
    const args = devnetNodeArgs({
      base: '/b',
      genesisPath: '/b/genesis.json',
      flags,
      index: 3,
      role: 'light',
      bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/x', '/ip4/127.0.0.1/tcp/2/p2p/y'],
    })
    expect(args.slice(-2)).toEqual(['--role', 'light'])
    expect(args).not.toContain('--mine')
    expect(args).not.toContain('--dev-accounts')
    expect(args).toContain('/ip4/127.0.0.1/tcp/2/p2p/y')
  })
})
