/** Runs the real `peerchain` CLI as a child process, stdin not a TTY (as under CI). */
import { execFile } from 'node:child_process'
import { join } from 'node:path'

export const BIN = join(import.meta.dirname, '../../bin/peerchain.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** This process's environment without any PEERCHAIN_ setting, so the CLI sees only those a test gives it. */
export function envWithoutPeerchain(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PEERCHAIN_')))
}

/**
 * `env` is added to `baseEnv`, which by default is this process's environment with PEERCHAIN_PASSPHRASE
 * cleared, so the passphrase is cleared unless `env` sets it.
 */
export function cli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
  baseEnv: NodeJS.ProcessEnv = { ...process.env, PEERCHAIN_PASSPHRASE: '' },
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...baseEnv, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end()
  })
}

/** Runs the CLI and parses its --json output; fails with its stderr when it exits non-zero. */
export async function cliJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const res = await cli([...args, '--json'], env)
  if (res.code !== 0) throw new Error(`peerchain ${args.join(' ')} exited ${res.code}: ${res.stderr}`)
  return JSON.parse(res.stdout) as T
}
