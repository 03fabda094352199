/** The start flags a devnet or test node gets: loopback by default, its own 127.0.<i+1>.1 lab address with --lab. */
import { describe, expect, it } from 'vitest'
import { labHost, loopbackNodeArgs } from '../../../src/lab/node-process.js'

const base = { dataDir: '/d', genesisPath: '/g.json', logLevel: 'warn' }

describe('loopbackNodeArgs', () => {
  it('listens on 127.0.0.1 with OS-chosen ports and no lab mode by default', () => {
    const args = loopbackNodeArgs({ ...base, listenWs: true })
    expect(args.slice(args.indexOf('--listen'), args.indexOf('--listen') + 3)).toEqual([
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '/ip4/127.0.0.1/tcp/0/ws',
    ])
    expect(args).not.toContain('--lab')
  })

  it('listens on the given host, in lab mode when asked', () => {
    const args = loopbackNodeArgs({ ...base, host: labHost(2), lab: true })
    expect(args).toContain('/ip4/127.0.3.1/tcp/0')
    expect(args).toContain('--lab')
  })
})

describe('labHost', () => {
  it('gives each devnet node its own lab group 127.0.<i+1>', () => {
    const hosts = [0, 1, 2, 63].map(labHost)
    expect(hosts).toEqual(['127.0.1.1', '127.0.2.1', '127.0.3.1', '127.0.64.1'])
    expect(new Set(hosts.map((h) => h.split('.').slice(0, 3).join('.'))).size).toBe(4)
  })
})
