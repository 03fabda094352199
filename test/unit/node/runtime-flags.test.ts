import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { NODE_RUNTIME_FLAGS } from '../../../src/node/runtime-flags.js'

const ROOT = join(import.meta.dirname, '../../..')

describe('a node runtime flags', () => {
  it('are given wherever a node process starts: the peerchain command, and npm run bench', () => {
    const shebang = readFileSync(join(ROOT, 'bin/peerchain.js'), 'utf8').split('\n')[0] as string
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_RUNTIME_FLAGS.join(' ')}`)
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>
    for (const flag of NODE_RUNTIME_FLAGS) expect(scripts.bench).toContain(flag)
  })

  it('are flags this Node accepts, and under allocation the young generation grows past its default', async () => {
    // Objects that live a while, as a block import's do: the new space grows to its maximum.
    const program = `let keep = []
for (let i = 0; i < 3e6; i++) { keep.push({ i, a: [i] }); if (keep.length > 200000) keep = [] }
console.log(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)`
    const run = promisify(execFile)
    const tuned = Number((await run(process.execPath, [...NODE_RUNTIME_FLAGS, '-e', program])).stdout)
    const plain = Number((await run(process.execPath, ['-e', program])).stdout)
    expect(tuned).toBeGreaterThan(plain)
  })
})
