/**
 * The lab's attackers, each a child process (attackers/main.ts) on its own
 * 127.A.B.C, started at its `from_s` and stopped at its `until_s`. The handle
 * keeps every peer id the attacker took on, so the report can tell when the
 * honest nodes cut it.
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { AttackerTask } from './attackers/main.js'
import type { LayoutAttacker } from './layout.js'

export interface AttackerHandle {
  peerIds(): string[]
  stop(): Promise<void>
}

export interface AttackerContext {
  chainId: string
  genesisHash: string
  /** Honest nodes' addresses, with /p2p/<id>. */
  targets: string[]
  /** The run directory: the attacker logs to `logs/<name>.log`. */
  dir: string
  seed: number
}

/** Under tsx (tests) this module is a .ts file and so is its child's. */
function childCommand(): string[] {
  const here = import.meta.url
  if (here.endsWith('.ts')) return ['--import', 'tsx', fileURLToPath(new URL('./attackers/main.ts', here))]
  return [fileURLToPath(new URL('./attackers/main.js', here))]
}

export async function startAttacker(attacker: LayoutAttacker, ctx: AttackerContext): Promise<AttackerHandle> {
  const task: AttackerTask = {
    kind: attacker.kind,
    chainId: ctx.chainId,
    genesisHash: ctx.genesisHash,
    targets: ctx.targets,
    ip: attacker.ip,
    ...(attacker.ipGroup ? { ipGroup: attacker.ipGroup } : {}),
    rate: attacker.rate,
    seed: ctx.seed,
  }
  const child = spawn(process.execPath, [...childCommand(), JSON.stringify(task)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  child.stderr?.pipe(createWriteStream(join(ctx.dir, 'logs', `${attacker.name}.log`), { flags: 'a' }))
  const ids: string[] = []
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const event = JSON.parse(line) as { event?: string; peerId?: string }
      if (event.event === 'identity' && event.peerId) ids.push(event.peerId)
    } catch {
      // not an event line
    }
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    peerIds: () => [...ids],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
    },
  }
}
