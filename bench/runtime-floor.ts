/**
 * The memory floor of the runtime a node runs on, measured in the same run as
 * a node's own figure so the two can be read side by side: the VmRSS of a bare
 * `node` process, and of one that has only loaded the libp2p modules every
 * peerchain node loads (and nothing of peerchain), each after SETTLE_MS idle.
 * RssFile is the node binary's pages, shared by every Node process on the
 * machine; RssAnon is the process's own.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SETTLE_MS = 3_000
/** The libp2p stack of src/net/libp2p-network-impl.ts, as a light node starts it. */
const LIBP2P_MODULES = [
  'libp2p',
  '@libp2p/tcp',
  '@libp2p/yamux',
  '@chainsafe/libp2p-noise',
  '@libp2p/identify',
  '@libp2p/kad-dht',
  '@libp2p/ping',
  'classic-level',
]
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface RssFigures {
  rssMib: number
  anonMib: number
  fileMib: number
}

/** Reads VmRSS, RssAnon and RssFile of `/proc/self/status` inside a child after SETTLE_MS. */
async function childRss(imports: string[]): Promise<RssFigures> {
  const script = `
    for (const m of ${JSON.stringify(imports)}) await import(m)
    await new Promise((r) => setTimeout(r, ${SETTLE_MS}))
    const s = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8')
    const kib = (f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB$', 'm').exec(s)[1])
    console.log(JSON.stringify({ rssMib: kib('VmRSS') / 1024, anonMib: kib('RssAnon') / 1024, fileMib: kib('RssFile') / 1024 }))
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`the runtime-floor child exited with ${code}: ${err.trim()}`)
  return JSON.parse(out) as RssFigures
}

export async function runtimeFloor(): Promise<{ bareNode: RssFigures; nodeWithLibp2p: RssFigures }> {
  return { bareNode: await childRss([]), nodeWithLibp2p: await childRss(LIBP2P_MODULES) }
}
