import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../src/cli/errors.js'
import { parseBlockRef, parseMempoolLimit, parseTxHash, registerReadCommands } from '../../../src/cli/read.js'

const HASH = 'c17d93961b966248e4e67026b3614887b00379222048aadf09d259534b62d37e'

describe('parseBlockRef', () => {
  it('reads a decimal height', () => {
    expect(parseBlockRef('0')).toEqual({ height: 0 })
    expect(parseBlockRef('42')).toEqual({ height: 42 })
    expect(parseBlockRef(String(Number.MAX_SAFE_INTEGER))).toEqual({ height: Number.MAX_SAFE_INTEGER })
  })

  it('reads a 64-hex hash, in the lower case the API takes', () => {
    expect(parseBlockRef(HASH)).toEqual({ hash: HASH })
    expect(parseBlockRef(HASH.toUpperCase())).toEqual({ hash: HASH })
    expect(parseBlockRef(`0x${HASH}`)).toEqual({ hash: HASH })
    // 64 decimal digits are a hash, not a (far too large) height
    expect(parseBlockRef('1'.repeat(64))).toEqual({ hash: '1'.repeat(64) })
  })

  it.each(['', 'abc', '-1', '1.5', '1e3', ' 1', HASH.slice(1), `${HASH}0`, `${HASH.slice(1)}g`])(
    'refuses %j, saying what is accepted',
    (text) => {
      expect(() => parseBlockRef(text)).toThrow(UsageError)
      expect(() => parseBlockRef(text)).toThrow(/a block height \(a whole number, e\.g\. 42\) or a block hash \(64 hex/)
    },
  )

  it('refuses a height past the largest the API takes', () => {
    expect(() => parseBlockRef('9007199254740992')).toThrow(/out of range: heights go up to 9007199254740991/)
  })
})

describe('parseTxHash', () => {
  it('takes 64 hex digits in any case', () => {
    expect(parseTxHash(HASH)).toBe(HASH)
    expect(parseTxHash(HASH.toUpperCase())).toBe(HASH)
  })

  it.each(['', '12', '42', HASH.slice(2), `${HASH}00`, `z${HASH.slice(1)}`])('refuses %j', (text) => {
    expect(() => parseTxHash(text)).toThrow(UsageError)
    expect(() => parseTxHash(text)).toThrow('expected a transaction hash (64 hex digits)')
  })
})

describe('parseMempoolLimit', () => {
  it('takes 1 to 1000', () => {
    expect(parseMempoolLimit('1')).toBe(1)
    expect(parseMempoolLimit('1000')).toBe(1000)
  })

  it.each(['0', '1001', '-1', '1.5', 'ten', ''])('refuses %j', (text) => {
    expect(() => parseMempoolLimit(text)).toThrow('--limit must be a whole number from 1 to 1000')
  })
})

describe('registerReadCommands', () => {
  const names = (cmd: Command): string[] => cmd.commands.map((c) => c.name())

  it('adds every read command, each with --json and the RPC options', () => {
    const program = new Command()
    registerReadCommands(program)
    expect(names(program)).toEqual(['status', 'peers', 'addrman', 'block', 'tx', 'mempool'])
    const tx = program.commands.find((c) => c.name() === 'tx') as Command
    expect(names(tx)).toEqual(['get'])
    for (const cmd of [...program.commands.filter((c) => c.name() !== 'tx'), ...tx.commands]) {
      const flags = cmd.options.map((o) => o.long)
      expect(flags, cmd.name()).toEqual(expect.arrayContaining(['--json', '--rpc', '--rpc-token-file', '--datadir']))
    }
  })

  it('puts `tx get` beside an existing `tx` command rather than a second one', () => {
    const program = new Command()
    program.command('tx').command('send')
    registerReadCommands(program)
    expect(names(program).filter((n) => n === 'tx')).toHaveLength(1)
    expect(names(program.commands.find((c) => c.name() === 'tx') as Command)).toEqual(['send', 'get'])
  })
})
