/**
 * The integration tests spawn `bin/peerchain.js`, which runs dist/: the
 * project's global setup (test/helpers/build-dist-setup.ts) must have built
 * it from the sources as they are now.
 */
import { describe, expect, inject, it } from 'vitest'
import { isDistFresh } from '../../scripts/build-dist.mjs'

describe('dist/', () => {
  it('is brought up to date with src/ before the integration tests run', async () => {
    expect(inject('distBuild')).toEqual({
      built: expect.any(Boolean),
      files: expect.any(Number),
      ms: expect.any(Number),
    })
    expect(await isDistFresh()).toBe(true)
  })
})
