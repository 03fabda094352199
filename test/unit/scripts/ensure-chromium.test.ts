/**
 * `npm test`'s pretest step (scripts/ensure-chromium.mjs): the decision, with
 * fake probes, so nothing here looks at or changes the machine.
 */
import { describe, expect, it } from 'vitest'
import { type ChromiumProbes, ensureChromium, INSTALL_HINT } from '../../../scripts/ensure-chromium.mjs'

interface Fake extends ChromiumProbes {
  commands: Array<{ command: string; args: string[]; env: Record<string, string> }>
  said: string[]
}

function fake(opts: { chromium: boolean; root: boolean; installs?: boolean; aptFails?: boolean }): Fake {
  let present = opts.chromium
  const f: Fake = {
    commands: [],
    said: [],
    hasChromium: () => present,
    isRoot: () => opts.root,
    run(command, args, env) {
      f.commands.push({ command, args, env })
      if (opts.aptFails) throw new Error('E: Unable to locate package chromium')
      if (args[0] === 'install' && opts.installs !== false) present = true
    },
    say: (line) => f.said.push(line),
  }
  return f
}

describe('ensureChromium', () => {
  it('does nothing when Chromium is there, root or not', () => {
    for (const root of [true, false]) {
      const f = fake({ chromium: true, root })
      expect(ensureChromium(f)).toBe(0)
      expect(f.commands).toEqual([])
      expect(f.said).toEqual([])
    }
  })

  it('as root, installs Debian chromium with apt-get: update first, noninteractive, quiet', () => {
    const f = fake({ chromium: false, root: true })
    expect(ensureChromium(f)).toBe(0)
    expect(f.commands.map((c) => [c.command, ...c.args])).toEqual([
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', 'chromium'],
    ])
    for (const c of f.commands) expect(c.env.DEBIAN_FRONTEND).toBe('noninteractive')
  })

  it('as root, fails when apt-get fails or installs no /usr/bin/chromium', () => {
    const broken = fake({ chromium: false, root: true, aptFails: true })
    expect(ensureChromium(broken)).toBe(1)
    expect(broken.said.at(-1)).toContain('Unable to locate package chromium')

    const nothing = fake({ chromium: false, root: true, installs: false })
    expect(ensureChromium(nothing)).toBe(1)
    expect(nothing.said.at(-1)).toContain('/usr/bin/chromium')
  })

  it('not as root, says in one sentence what to install, runs nothing, and fails', () => {
    const f = fake({ chromium: false, root: false })
    expect(ensureChromium(f)).toBe(1)
    expect(f.commands).toEqual([])
    expect(f.said).toEqual([INSTALL_HINT])
    expect(INSTALL_HINT).toContain('sudo apt-get install chromium')
    expect(INSTALL_HINT).not.toContain('\n')
    expect(INSTALL_HINT.match(/[.!?](\s|$)/g)).toHaveLength(1)
  })
})
