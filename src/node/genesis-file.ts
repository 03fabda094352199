/** Reading a genesis file from disk (the pure parsing lives in ledger/genesis.ts). */
import { readFile } from 'node:fs/promises'
import { type Genesis, GenesisError, parseGenesis } from '../ledger/genesis.js'

export async function readGenesisFile(path: string): Promise<Genesis> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new GenesisError('(file)', `cannot be read from ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new GenesisError('(file)', `${path} is not JSON: ${(err as Error).message}`)
  }
  return parseGenesis(json)
}
