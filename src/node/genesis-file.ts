/** Reading a genesis file from disk (the pure parsing lives in ledger/genesis.ts). */
import { readFile, stat } from 'node:fs/promises'
import { type Genesis, GenesisError, parseGenesis } from '../ledger/genesis.js'

/** Largest genesis file read: room for some two thousand allocations, parsed well within 50 ms. */
export const GENESIS_FILE_BYTES_MAX = 128 * 1024

export async function readGenesisFile(path: string): Promise<Genesis> {
  let text: string
  try {
    if ((await stat(path)).size > GENESIS_FILE_BYTES_MAX) {
      throw new GenesisError('(file)', `${path} is larger than ${GENESIS_FILE_BYTES_MAX} bytes`)
    }
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (err instanceof GenesisError) throw err
    throw new GenesisError('(file)', `cannot be read from ${path}: ${(err as Error).message}`)
  }
  return parseGenesisText(text, path)
}

/** A genesis file's text, parsed and checked; throws GenesisError. Pure: fuzzed. */
export function parseGenesisText(text: string, path: string): Genesis {
  if (text.length > GENESIS_FILE_BYTES_MAX) {
    throw new GenesisError('(file)', `${path} is larger than ${GENESIS_FILE_BYTES_MAX} bytes`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new GenesisError('(file)', `${path} is not JSON: ${(err as Error).message}`)
  }
  return parseGenesis(json)
}
