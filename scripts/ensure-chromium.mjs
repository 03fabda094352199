// npm runs this before `npm test`: the dashboard integration test drives
// Debian's Chromium at /usr/bin/chromium (never a downloaded browser). When it
// is missing, root (CI, a fresh container) gets it from apt-get; anyone else is
// told what to install, and the test run stops here rather than skip the test.
import { execFileSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const CHROMIUM = '/usr/bin/chromium'

export const INSTALL_HINT =
  `peerchain: the dashboard test needs Debian's Chromium at ${CHROMIUM}, which is missing: ` +
  'install it with `sudo apt-get install chromium` and run the tests again.'

/**
 * Decides what to do about Chromium, and does it through `probes`.
 * @param {import('./ensure-chromium.d.mts').ChromiumProbes} probes
 * @returns {number} the exit code: 0 when Chromium is there (or now installed), 1 otherwise
 */
export function ensureChromium(probes) {
  if (probes.hasChromium()) return 0
  if (!probes.isRoot()) {
    probes.say(INSTALL_HINT)
    return 1
  }
  probes.say(`peerchain: installing Debian's chromium with apt-get for the dashboard test (${CHROMIUM} is missing)`)
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  try {
    probes.run('apt-get', ['update', '-qq'], env)
    probes.run('apt-get', ['install', '-y', '-qq', 'chromium'], env)
  } catch (err) {
    probes.say(`peerchain: apt-get could not install chromium (${err instanceof Error ? err.message : err}).`)
    return 1
  }
  if (probes.hasChromium()) return 0
  probes.say(`peerchain: apt-get installed chromium, yet there is still no ${CHROMIUM}.`)
  return 1
}

/** @type {import('./ensure-chromium.d.mts').ChromiumProbes} */
export const systemProbes = {
  hasChromium() {
    try {
      accessSync(CHROMIUM, constants.X_OK)
      return true
    } catch {
      return false
    }
  },
  isRoot: () => process.getuid?.() === 0,
  run(command, args, env) {
    // apt-get's progress goes nowhere; its errors still reach the terminal.
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } })
  },
  say: (line) => console.error(line),
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(ensureChromium(systemProbes))
