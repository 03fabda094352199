/** `peerchain validator stake | unstake AMOUNT [--fee F]`: argument parsing and what is printed (cli/validator.ts). */
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { commandGroups } from '../../../src/cli/commands.js'
import { UsageError } from '../../../src/cli/errors.js'
import {
  bondParams,
  describeBond,
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

  it('is loaded for `peerchain validator …` only', () => {
    expect(commandGroups(['validator', 'stake', '5']).flatMap((g) => g.names)).toEqual(['validator'])
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
