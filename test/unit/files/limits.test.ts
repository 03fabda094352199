/** One set of DAG limits: the store walks exactly what the exchange fetches (depth, width, block size). */
import { describe, expect, it } from 'vitest'
import * as exchange from '../../../src/files/exchange/limits.js'
import { BLOCK_BYTES_MAX, DAG_DEPTH_MAX, DAG_LINKS_PER_NODE_MAX } from '../../../src/files/limits.js'

describe('file store limits', () => {
  it('are the exchange’s for every DAG and block bound', () => {
    expect(DAG_DEPTH_MAX).toBe(exchange.DAG_DEPTH_MAX)
    expect(DAG_LINKS_PER_NODE_MAX).toBe(exchange.DAG_LINKS_MAX)
    expect(BLOCK_BYTES_MAX).toBe(exchange.BLOCK_BYTES_MAX)
  })
})
