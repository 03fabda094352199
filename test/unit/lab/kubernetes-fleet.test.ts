import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { inClusterApi, KubeApiError } from '../../../src/lab/kube-api.js'
import type { KubernetesNode } from '../../../src/lab/kubernetes.js'
import { KubernetesFleet } from '../../../src/lab/kubernetes-fleet.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-k8s-fleet-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A node's RPC as a pod serves it: node_info, only with the token its node wrote. */
async function fakeNodeRpc(token: string): Promise<string> {
  return listen(
    createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        const { id } = JSON.parse(body) as { id: number }
        if (req.headers.authorization !== `Bearer ${token}`) {
          res.writeHead(401).end()
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id,
            result: { peerId: '12D3KooWpod', listenAddresses: ['/ip4/10.1.2.3/tcp/9000/p2p/12D3KooWpod'] },
          }),
        )
      })
    }),
  )
}

describe('KubernetesFleet', () => {
  it("starts a pod's node by its up file, waits for its fresh cookie and RPC, and kills by deleting the pod", async () => {
    const root = await tempDir()
    const dir = join(root, 'gossipsub')
    const dataRoot = join(root, 'data')
    const rpc = await fakeNodeRpc('fresh-token')
    const pod: KubernetesNode = {
      name: 'n0',
      pod: 'gs-europe-0',
      host: 'gs-europe-0.gs-europe.lab.svc.cluster.local',
      region: 'europe',
      role: 'miner',
      hashShare: 1,
      bandwidthMbit: 50,
      joinAtS: 0,
      rpc,
      dataDir: join(dataRoot, 'gs-europe-0'),
      trace: 'traces/gs-europe-0.jsonl',
    }
    // A stale cookie from the pod's last life: the fleet must not take it for the new node's.
    await mkdir(pod.dataDir, { recursive: true })
    await writeFile(join(pod.dataDir, 'rpc.cookie'), 'stale-token\n')
    const deleted: Array<[string, number | undefined]> = []
    const fleet = new KubernetesFleet({
      dir,
      dataRoot,
      nodes: [pod],
      api: { deletePod: async (name, grace) => void deleted.push([name, grace]) },
      startTimeoutMs: 10_000,
    })
    // start-node.sh's side: once up/<pod> exists, the node starts and writes its cookie.
    const podSide = (async () => {
      for (;;) {
        const up = await access(join(dir, 'up', pod.pod)).then(
          () => true,
          () => false,
        )
        if (up) break
        await new Promise((r) => setTimeout(r, 20))
      }
      await new Promise((r) => setTimeout(r, 300))
      await writeFile(join(pod.dataDir, 'rpc.cookie'), 'fresh-token\n')
    })()
    const node = await fleet.start({ name: 'n0', ip: '127.0.1.1', role: 'miner' }, ['/ip4/10.9.9.9/tcp/9000/p2p/x'])
    await podSide
    expect(node).toMatchObject({
      peerId: '12D3KooWpod',
      ip: '10.1.2.3',
      addr: '/ip4/10.1.2.3/tcp/9000/p2p/12D3KooWpod',
    })
    expect(fleet.isUp('n0')).toBe(true)
    expect(fleet.traceOf('n0')).toBe('traces/gs-europe-0.jsonl')
    expect(await readFile(join(dir, 'bootstrap.txt'), 'utf8')).toBe('/ip4/10.9.9.9/tcp/9000/p2p/x\n')

    await fleet.kill('n0', 'SIGKILL')
    expect(deleted).toEqual([['gs-europe-0', 0]])
    await expect(access(join(dir, 'up', pod.pod))).rejects.toThrow()
    expect(fleet.isUp('n0')).toBe(false)
    expect(() => fleet.traceOf('n9')).toThrow(/no pod for lab node n9/)
  })
})

describe('inClusterApi', () => {
  it("deletes a pod with the service account's token, the grace asked for, and takes 404 as done", async () => {
    const account = await tempDir()
    await writeFile(join(account, 'token'), 'sa-token\n')
    await writeFile(join(account, 'ca.crt'), 'unused over http\n')
    await writeFile(join(account, 'namespace'), 'lab-ns\n')
    const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = []
    const server = await listen(
      createServer((req, res) => {
        let body = ''
        req.on('data', (c) => {
          body += c
        })
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body })
          res.writeHead(req.url?.endsWith('/gone') ? 404 : req.url?.endsWith('/locked') ? 403 : 200).end('{}')
        })
      }),
    )
    const api = await inClusterApi({ accountDir: account, server })
    expect(api.namespace).toBe('lab-ns')
    await api.deletePod('gs-europe-0', 0)
    await api.deletePod('gone')
    await expect(api.deletePod('locked')).rejects.toThrow(KubeApiError)
    expect(seen[0]).toMatchObject({
      method: 'DELETE',
      url: '/api/v1/namespaces/lab-ns/pods/gs-europe-0',
      auth: 'Bearer sa-token',
    })
    expect(JSON.parse(seen[0]?.body ?? '{}')).toMatchObject({ gracePeriodSeconds: 0 })
    expect(JSON.parse(seen[1]?.body ?? '{}')).not.toHaveProperty('gracePeriodSeconds')
  })

  it('says so outside a pod', async () => {
    await expect(inClusterApi({ accountDir: '/nonexistent', server: 'http://127.0.0.1:1' })).rejects.toThrow(
      /no service account credentials/,
    )
  })
})
