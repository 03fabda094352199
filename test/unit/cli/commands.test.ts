/**
 * Which command modules a command line loads (cli/commands.ts): only its own
 * group, so `peerchain status` loads no node; every group for help or a typo.
 */
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMAND_GROUPS, commandGroups } from '../../../src/cli/commands.js'

const namesOf = (groups: readonly { names: readonly string[] }[]): string[] => groups.flatMap((g) => g.names)

describe('commandGroups', () => {
  it('loads only the group of the command named', () => {
    for (const name of ['status', 'peers', 'block', 'mempool']) {
      expect(commandGroups([name, '--json'])).toHaveLength(1)
      expect(namesOf(commandGroups([name]))).toContain(name)
    }
    expect(namesOf(commandGroups(['start', '--mine']))).toEqual(['start'])
    expect(namesOf(commandGroups(['wallet', 'new']))).toEqual(['wallet', 'tx'])
  })

  it('loads both groups that add a `tx` subcommand', () => {
    const groups = commandGroups(['tx', 'get', 'ab'.repeat(32)])
    expect(groups).toHaveLength(2)
    expect(groups.every((g) => g.names.includes('tx'))).toBe(true)
  })

  it('loads every group for help, no command or an unknown one, and none for --version', () => {
    for (const args of [[], ['--help'], ['-h'], ['help', 'start'], ['statsu']]) {
      expect(commandGroups(args)).toBe(COMMAND_GROUPS)
    }
    expect(commandGroups(['--version'])).toEqual([])
    expect(commandGroups(['-V'])).toEqual([])
  })

  it("names every command its group's module adds, so each command line finds its module", async () => {
    for (const group of COMMAND_GROUPS) {
      const program = new Command()
      ;(await group.load())(program)
      expect([...group.names].sort(), group.names.join(' ')).toEqual(
        [...new Set(program.commands.map((c) => c.name()))].sort(),
      )
    }
  })
})
