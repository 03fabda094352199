import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { devnetGenesis, genesisToJson } from '../../../src/ledger/genesis.js'
import { readGenesisFile } from '../../../src/node/genesis-file.js'

const dir = await mkdtemp(join(tmpdir(), 'peerchain-genesis-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('readGenesisFile', () => {
  it('reads a genesis file written from the devnet', async () => {
    const path = join(dir, 'devnet.json')
    await writeFile(path, JSON.stringify(genesisToJson(devnetGenesis()), null, 2))
    expect(genesisToJson(await readGenesisFile(path))).toEqual(genesisToJson(devnetGenesis()))
  })

  it('names the problem: missing file, bad JSON, bad key', async () => {
    await expect(readGenesisFile(join(dir, 'nope.json'))).rejects.toThrow(/cannot be read/)
    const bad = join(dir, 'bad.json')
    await writeFile(bad, '{ not json')
    await expect(readGenesisFile(bad)).rejects.toThrow(/is not JSON/)
    const wrong = join(dir, 'wrong.json')
    await writeFile(wrong, JSON.stringify({ ...genesisToJson(devnetGenesis()), chainId: 'UPPER' }))
    await expect(readGenesisFile(wrong)).rejects.toMatchObject({ name: 'GenesisError', key: 'chainId' })
  })
})
