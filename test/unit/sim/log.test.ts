import { describe, expect, it } from 'vitest'
import { errorRecordingLogger } from '../../../src/sim/log.js'

describe('errorRecordingLogger', () => {
  it('hands on error records only, from the logger and its children', () => {
    const lines: string[] = []
    const log = errorRecordingLogger((line) => lines.push(line))
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('mempool reset failed', { error: 'boom' })
    log.child({ module: 'miner' }).error('mining failed')
    expect(lines).toEqual(['mempool reset failed {"error":"boom"}', 'mining failed'])
  })
})
