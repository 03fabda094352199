/**
 * `peerchain validator stake | unstake AMOUNT [--fee F]`, the top-level `stake` / `unstake`, and
 * `peerchain validators`: argument parsing and what is printed (cli/validator.ts).
 */
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { commandGroups } from '../../../src/cli/commands.js'
import { UsageError } from '../../../src/cli/errors.js'
import {
  bondParams,
  describeBond,
  parseSetHeight,
  registerValidatorCommands,
  VALIDATOR_CLI_FEE_DEFAULT,
} from '../../../src/cli/validator.js'

describe('bondParams', () => {
  it('reads AMOUNT and --fee as u64 base units, as decimal strings for the RPC', () => {
    expect(bondParams('250000000', '1000')).toEqual({ amount: '250000000', fee: '1000' })
    expect(bondParams('1', '0')).toEqual({ amount: '1', fee: '0' })
    expect(bondParams('18446744073709551615', VALIDATOR_CLI_FEE_DEFAULT)).toEqual({
      amount: '18446744073709551615',
      fee: '1000',
    })
  })

  it.each(['0', '-1', '1.5', '1e3', 'ten', '', '18446744073709551616'])('refuses AMOUNT %j', (text) => {
    expect(() => bondParams(text, '1000')).toThrow(UsageError)
    expect(() => bondParams(text, '1000')).toThrow(/AMOUNT/)
  })

  it.each(['-1', '0.5', 'x', '18446744073709551616'])('refuses --fee %j', (text) => {
    expect(() => bondParams('5', text)).toThrow(/--fee/)
  })
})

describe('registerValidatorCommands', () => {
  const program = (): Command => {
    const p = new Command()
    registerValidatorCommands(p)
    return p
  }

  it('adds validator stake and validator unstake, each with AMOUNT, --fee (default 1000), --datadir, --json and --rpc', () => {
    const validator = program().commands.find((c) => c.name() === 'validator') as Command
    expect(validator.commands.map((c) => c.name())).toEqual(['stake', 'unstake'])
    for (const cmd of validator.commands) {
      expect(cmd.registeredArguments.map((a) => [a.name(), a.required])).toEqual([['amount', true]])
      const flags = cmd.options.map((o) => o.long)
      expect(flags).toEqual(expect.arrayContaining(['--fee', '--datadir', '--json', '--rpc', '--rpc-token-file']))
      expect(cmd.options.find((o) => o.long === '--fee')?.defaultValue).toBe('1000')
    }
  })

  it('adds stake and unstake at the top level, the same commands as validator stake / unstake', () => {
    const p = program()
    const validator = p.commands.find((c) => c.name() === 'validator') as Command
    for (const name of ['stake', 'unstake']) {
      const top = p.commands.find((c) => c.name() === name) as Command
      const nested = validator.commands.find((c) => c.name() === name) as Command
      expect(top.registeredArguments.map((a) => [a.name(), a.required])).toEqual([['amount', true]])
      expect(top.options.map((o) => [o.long, o.defaultValue])).toEqual(
        nested.options.map((o) => [o.long, o.defaultValue]),
      )
      expect(top.description()).toContain(nested.description())
      expect(top.description()).toContain(`validator ${name}`)
    }
  })

  it('adds validators with --height, --datadir, --json and --rpc', () => {
    const validators = program().commands.find((c) => c.name() === 'validators') as Command
    expect(validators.registeredArguments).toEqual([])
    expect(validators.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--height', '--datadir', '--json', '--rpc', '--rpc-token-file']),
    )
    expect(validators.description()).toMatch(/missed votes/)
  })

  it('is loaded for `peerchain validator …`, `stake`, `unstake` and `validators` only', () => {
    for (const args of [
      ['validator', 'stake', '5'],
      ['stake', '5'],
      ['unstake', '5'],
      ['validators', '--json'],
    ]) {
      expect(commandGroups(args).flatMap((g) => g.names)).toEqual(['validator', 'stake', 'unstake', 'validators'])
    }
  })
})

describe('parseSetHeight', () => {
  it('reads a height of 1 or more', () => {
    expect(parseSetHeight('1')).toBe(1)
    expect(parseSetHeight('4096')).toBe(4096)
  })

  it.each(['0', '-1', '1.5', 'x', '', '99999999999999999999'])('refuses --height %j', (text) => {
    expect(() => parseSetHeight(text)).toThrow(UsageError)
    expect(() => parseSetHeight(text)).toThrow(/--height/)
  })
})

describe('describeBond', () => {
  it('says what was submitted, in coins, and the tx', () => {
    const txId = 'ab'.repeat(32)
    expect(describeBond('stake', { amount: '1250000000', fee: '1000' }, { txId, status: 'ready' })).toBe(
      `stake of 12.5 PC submitted (fee 0.00001 PC)\ntx ${txId} ready`,
    )
    expect(describeBond('unstake', { amount: '100000000', fee: '0' }, { txId, status: 'future' })).toMatch(
      /^unstake of 1 PC submitted \(fee 0 PC\)\ntx (ab){32} future$/,
    )
  })
})
