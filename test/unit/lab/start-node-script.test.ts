import { type ChildProcess, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportKubernetes, type KubernetesLabMap } from '../../../src/lab/kubernetes.js'
import { labGenesisJson } from '../../../src/lab/kubernetes-yaml.js'
import { loadScenario } from '../../../src/lab/scenario.js'

const SMOKE = join(import.meta.dirname, '../../../lab/scenarios/smoke.toml')

/** Runs start-node.sh as a node pod would, with /lab and /traces in a temp dir and a fake `peerchain` that records its arguments. */
describe('start-node.sh (the node pods’ command)', () => {
  let dir: string
  let child: ChildProcess | undefined
  let map: KubernetesLabMap

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'start-node-'))
    const scenario = await loadScenario(SMOKE)
    const objects = exportKubernetes(scenario, {
      image: 'x',
      namespace: 'lab-test',
      scenarioText: await readFile(SMOKE, 'utf8'),
      genesisJson: labGenesisJson(scenario),
    })
    await mkdir(join(dir, 'lab'))
    await mkdir(join(dir, 'bin'))
    await mkdir(join(dir, 'tmp'))
    for (const o of objects.filter((o) => o.kind === 'ConfigMap')) {
      for (const [key, text] of Object.entries(o.data as Record<string, string>))
        await writeFile(join(dir, 'lab', key), text)
    }
    map = JSON.parse(await readFile(join(dir, 'lab', 'nodes.json'), 'utf8')) as KubernetesLabMap
    const fake = join(dir, 'bin', 'peerchain')
    await writeFile(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'args')}"\n`)
    await chmod(fake, 0o755)
  })
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })

  function start(pod: string, host: string): Promise<number | null> {
    child = spawn('sh', [join(dir, 'lab', 'start-node.sh')], {
      env: {
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        LAB_DIR: join(dir, 'lab'),
        TRACES_DIR: join(dir, 'traces'),
        TMPDIR: join(dir, 'tmp'),
        POD_NAME: pod,
        POD_IP: '10.1.2.3',
        GOSSIP: 'gossipsub',
        SELF_HOST: host,
      },
      stdio: 'ignore',
    })
    const c = child
    return new Promise((resolve) => c.once('exit', (code) => resolve(code)))
  }

  it('waits for the driver’s go, then starts the node with its role, links, trace and bootstrap', async () => {
    const miner = map.runs[0]!.nodes.find((n) => n.role === 'miner')!
    const exited = start(miner.pod, miner.host)
    await new Promise((r) => setTimeout(r, 1_500))
    expect(child?.exitCode).toBeNull()
    await mkdir(join(dir, 'traces', 'gossipsub', 'up'), { recursive: true })
    const boot = ['/ip4/10.0.0.1/tcp/9000/p2p/12D3KooA', '/ip4/10.0.0.2/tcp/9000/p2p/12D3KooB']
    await writeFile(join(dir, 'traces', 'gossipsub', 'bootstrap.txt'), `${boot.join('\n')}\n`)
    await writeFile(join(dir, 'traces', 'gossipsub', 'up', miner.pod), '')
    expect(await exited).toBe(0)

    const args = (await readFile(join(dir, 'args'), 'utf8')).trim().split('\n')
    const flagValue = (flag: string) => args[args.indexOf(flag) + 1]
    expect(args[0]).toBe('start')
    expect(flagValue('--role')).toBe('miner')
    expect(flagValue('--gossip')).toBe('gossipsub')
    expect(flagValue('--listen')).toBe('/ip4/10.1.2.3/tcp/9000')
    expect(flagValue('--datadir')).toBe(join(dir, 'traces', 'data', miner.pod))
    expect(flagValue('--trace')).toBe(join(dir, 'traces', 'gossipsub', 'traces', `${miner.pod}.jsonl`))
    expect(flagValue('--genesis')).toBe(join(dir, 'lab', 'genesis.json'))
    expect(args).toContain('--lab')
    expect(args.slice(args.indexOf('--bootstrap') + 1)).toEqual(boot)
    const links = JSON.parse(await readFile(flagValue('--lab-links')!, 'utf8'))
    expect(links.self).toBe(miner.host)
  })

  it('a full node gets role full; without a bootstrap file it dials nobody', async () => {
    const full = map.runs[0]!.nodes.find((n) => n.role === 'full')!
    await mkdir(join(dir, 'traces', 'gossipsub', 'up'), { recursive: true })
    await writeFile(join(dir, 'traces', 'gossipsub', 'up', full.pod), '')
    expect(await start(full.pod, full.host)).toBe(0)
    const args = (await readFile(join(dir, 'args'), 'utf8')).trim().split('\n')
    expect(args[args.indexOf('--role') + 1]).toBe('full')
    expect(args).not.toContain('--bootstrap')
  })

  it('stops at once on SIGTERM while it waits (the pod is deleted before its go)', async () => {
    const exited = start('gs-europe-0', 'x')
    await new Promise((r) => setTimeout(r, 300))
    const sent = Date.now()
    child?.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(Date.now() - sent).toBeLessThan(1_500)
  })
})
