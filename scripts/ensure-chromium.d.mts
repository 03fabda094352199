/** What ensureChromium asks of the machine; tests pass fakes. */
export interface ChromiumProbes {
  /** Whether Chromium is installed where the dashboard test looks for it. */
  hasChromium(): boolean
  /** Whether this process runs as root (so apt-get can install packages). */
  isRoot(): boolean
  /** Runs a command to completion; throws when it fails. */
  run(command: string, args: string[], env: Record<string, string>): void
  /** Tells the user something, one line. */
  say(line: string): void
}

export declare const CHROMIUM: string
export declare const INSTALL_HINT: string
export declare function ensureChromium(probes: ChromiumProbes): number
export declare const systemProbes: ChromiumProbes
