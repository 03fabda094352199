import { describe, expect, it } from 'vitest'
import { labSourceAddress, tcpOptions } from '../../../src/net/host.js'

describe('lab source address', () => {
  it('is the one 127/8 address every IPv4 listen address shares', () => {
    expect(labSourceAddress(['/ip4/127.0.5.1/tcp/0', '/ip4/127.0.5.1/tcp/0/ws'])).toBe('127.0.5.1')
    expect(labSourceAddress(['/ip4/127.0.5.1/tcp/0', '/ip6/::1/tcp/0'])).toBe('127.0.5.1')
  })

  it('is none for two addresses, a wildcard or a routable address', () => {
    expect(labSourceAddress(['/ip4/127.0.5.1/tcp/0', '/ip4/127.0.6.1/tcp/0'])).toBeUndefined()
    expect(labSourceAddress(['/ip4/0.0.0.0/tcp/0'])).toBeUndefined()
    expect(labSourceAddress(['/ip4/8.8.8.8/tcp/0'])).toBeUndefined()
    expect(labSourceAddress([])).toBeUndefined()
  })

  it('reaches net.connect as localAddress only in lab mode', () => {
    const listen = ['/ip4/127.0.5.1/tcp/0']
    expect(tcpOptions({ lab: true, listen }).dialOpts).toEqual({ noDelay: true, localAddress: '127.0.5.1' })
    expect(tcpOptions({ lab: false, listen }).dialOpts).toBeUndefined()
  })
})
