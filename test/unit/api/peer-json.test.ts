/** net_peers and net_addrman shapes: what the network reports, as JSON, in a stable order. */
import { describe, expect, it } from 'vitest'
import { addrmanToJson, peerToJson } from '../../../src/api/json.js'

describe('peerToJson', () => {
  it("carries the peer's network group and connection type", () => {
    const json = peerToJson({
      id: 'p',
      addresses: ['/ip4/127.3.3.1/tcp/4001'],
      direction: 'outbound',
      group: 'lab:127.3.3',
      connectionType: 'block-relay',
      score: -5,
    })
    expect(json).toEqual({
      id: 'p',
      addresses: ['/ip4/127.3.3.1/tcp/4001'],
      direction: 'outbound',
      group: 'lab:127.3.3',
      connectionType: 'block-relay',
      score: -5,
    })
  })
})

describe('addrmanToJson', () => {
  it('lists the groups with the most addresses first, ties by name, and keeps the totals', () => {
    const json = addrmanToJson({
      new: 7,
      tried: 3,
      groups: [
        { group: 'ip4:10.2', new: 1, tried: 1 },
        { group: 'ip4:10.1', new: 2, tried: 0 },
        { group: 'as:13335', new: 4, tried: 2 },
      ],
    })
    expect(json).toEqual({
      new: 7,
      tried: 3,
      groups: [
        { group: 'as:13335', new: 4, tried: 2 },
        { group: 'ip4:10.1', new: 2, tried: 0 },
        { group: 'ip4:10.2', new: 1, tried: 1 },
      ],
    })
  })
})
