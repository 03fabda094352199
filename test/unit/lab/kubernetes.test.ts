import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import {
  CONFIG_MAP_BYTES_MAX,
  exportKubernetes,
  KubernetesExportError,
  type KubernetesLabMap,
  START_NODE_SH,
} from '../../../src/lab/kubernetes.js'
import { kubernetesYaml, labGenesisJson } from '../../../src/lab/kubernetes-yaml.js'
import { loadScenario, parseScenario, type Scenario } from '../../../src/lab/scenario.js'
import { expandNodes } from '../../../src/lab/scenario-nodes.js'
import { parseLinks } from '../../../src/net/link-file.js'

const LIBRARY = join(import.meta.dirname, '../../../lab/scenarios')

/** The published Kubernetes OpenAPI schema of every kind the export writes. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
}

type Obj = Record<string, unknown> & { kind?: unknown; apiVersion?: unknown; metadata?: { name?: string } }

async function exported(
  file: string,
  namespace = 'lab-test',
): Promise<{ scenario: Scenario; text: string; objects: Obj[] }> {
  const path = join(LIBRARY, file)
  const scenario = await loadScenario(path)
  const text = await readFile(path, 'utf8')
  const objects = exportKubernetes(scenario, {
    image: 'registry.example/peerchain:test',
    namespace,
    scenarioText: text,
    genesisJson: labGenesisJson(scenario),
  })
  return { scenario, text, objects }
}

/** The objects of one kind, typed by their Kubernetes model. */
function ofKind<T>(objects: Obj[], Model: new (data: never) => T): T[] {
  const kind = (Model as unknown as { kind: string }).kind
  return objects.filter((o) => o.kind === kind).map((o) => new Model(o as never))
}

describe('Kubernetes export', () => {
  it('every object of every library scenario is valid against the Kubernetes OpenAPI schema', async () => {
    const files = (await readdir(LIBRARY)).filter((f) => f.endsWith('.toml'))
    expect(files.length).toBeGreaterThanOrEqual(7)
    for (const file of files) {
      const { objects } = await exported(file)
      for (const obj of objects) {
        const what = `${file}: ${String(obj.apiVersion)} ${String(obj.kind)} ${obj.metadata?.name}`
        const Model = MODELS[`${String(obj.apiVersion)}/${String(obj.kind)}`]
        expect(Model, `${what}: no schema`).toBeDefined()
        expect(() => new Model!(obj as never).validate(), what).not.toThrow()
        expect(obj.metadata?.name, what).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
      }
    }
  })

  it('the schema check catches a bad object (the validation is real)', () => {
    const bad = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { replicas: 'two' } }
    expect(() => new StatefulSet(bad as never).validate()).toThrow(/replicas/)
  })

  it('one StatefulSet and one headless Service per region, replicas = the nodes placed there', async () => {
    const { scenario, objects } = await exported('smoke.toml')
    expect(expandNodes(scenario)).toHaveLength(8)
    const sets = ofKind(objects, StatefulSet)
    expect(sets.map((s) => [s.metadata?.name, s.spec?.replicas])).toEqual([
      ['gs-europe', 4],
      ['gs-na-east', 4],
    ])
    const services = ofKind(objects, Service).filter((s) => s.metadata?.name?.startsWith('gs-'))
    expect(services.map((s) => s.metadata?.name)).toEqual(['gs-europe', 'gs-na-east'])
    for (const [i, set] of sets.entries()) {
      const selector = set.spec?.selector.matchLabels
      expect(services[i]).toMatchObject({ spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector } })
      expect(set).toMatchObject({
        metadata: { namespace: 'lab-test' },
        spec: {
          serviceName: services[i]?.metadata?.name,
          podManagementPolicy: 'Parallel',
          template: {
            metadata: { labels: selector },
            spec: {
              containers: [{ image: 'registry.example/peerchain:test', command: ['sh', '/lab/start-node.sh'] }],
            },
          },
        },
      })
    }
  })

  it('under both gossip protocols, one set of StatefulSets each', async () => {
    const { objects } = await exported('wan-50.toml')
    const sets = ofKind(objects, StatefulSet)
    expect(sets).toHaveLength(12)
    const replicas = (prefix: string) =>
      sets.filter((s) => s.metadata?.name?.startsWith(prefix)).reduce((n, s) => n + (s.spec?.replicas ?? 0), 0)
    expect(replicas('gs-')).toBe(50)
    expect(replicas('fs-')).toBe(50)
  })

  it('the largest scenario the schema allows fits in ConfigMaps; a larger one is refused', () => {
    const text =
      'duration_s = 60\ngossip = ["gossipsub", "floodsub"]\n[[nodes]]\ncount = 250\n[[load]]\ntx_rate = 1\nsenders = 10000\n'
    const scenario = parseScenario(text, 'largest.toml')
    const opts = { image: 'x', namespace: 'n'.repeat(63), scenarioText: text, genesisJson: labGenesisJson(scenario) }
    const maps = ofKind(exportKubernetes(scenario, opts), ConfigMap)
    expect(maps.map((m) => m.metadata?.name)).toEqual(['lab', 'lab-genesis'])
    for (const m of maps) {
      const bytes = Object.values(m.data ?? {}).reduce((n, v) => n + Buffer.byteLength(v), 0)
      expect(bytes).toBeLessThanOrEqual(CONFIG_MAP_BYTES_MAX)
    }
    expect(() => exportKubernetes(scenario, { ...opts, genesisJson: 'x'.repeat(CONFIG_MAP_BYTES_MAX + 1) })).toThrow(
      KubernetesExportError,
    )
  })

  it('the ConfigMap holds the scenario as written, a links file the shaper accepts, and which pod is which node', async () => {
    const { scenario, text, objects } = await exported('partition-heal.toml')
    const data = ofKind(objects, ConfigMap)[0]?.data ?? {}
    expect(data['scenario.toml']).toBe(text)
    expect(data['start-node.sh']).toBe(START_NODE_SH)
    const genesis = ofKind(objects, ConfigMap)[1]
    expect(genesis?.metadata?.name).toBe('lab-genesis')
    expect(JSON.parse(genesis?.data?.['genesis.json'] ?? '').chainId).toBe('peerchain-lab')
    // Both appear in /lab.
    expect(ofKind(objects, StatefulSet)[0]?.spec?.template.spec?.volumes).toContainEqual({
      name: 'lab',
      projected: {
        defaultMode: 0o555,
        sources: [{ configMap: { name: 'lab' } }, { configMap: { name: 'lab-genesis' } }],
      },
    })
    const map = JSON.parse(data['nodes.json'] ?? '') as KubernetesLabMap
    expect(map.runs.map((r) => r.gossip)).toEqual(['gossipsub'])
    const nodes = map.runs[0]!.nodes
    expect(nodes.map((n) => [n.name, n.region, n.role])).toEqual(
      expandNodes(scenario).map((n) => [n.name, n.region, n.role]),
    )
    // n0 na-east, n1 europe, n2 asia-east, n3 na-east…: the k-th node of a region is pod k of its StatefulSet.
    expect(nodes.slice(0, 4).map((n) => n.pod)).toEqual([
      'gs-na-east-0',
      'gs-europe-0',
      'gs-asia-east-0',
      'gs-na-east-1',
    ])
    const europe0 = nodes[1]!
    expect(europe0.host).toBe('gs-europe-0.gs-europe.lab-test.svc.cluster.local')
    expect(europe0.rpc).toBe('http://gs-europe-0.gs-europe.lab-test.svc.cluster.local:8545')
    const roles = (data['roles.txt'] ?? '').split('\n')
    expect(roles).toContain('gs-na-east-0 miner')
    expect(roles).toContain('gs-na-east-1 full')

    // start-node.sh puts the pod's own DNS name in for @SELF@.
    const links = parseLinks(JSON.parse((data['links.json'] ?? '').replace('@SELF@', europe0.host)))
    expect(links.self).toBe(europe0.host)
    expect(links.regions).toEqual(scenario.network.regions)
    expect(links.latencyMs).toEqual(scenario.network.latency_ms)
    for (const n of nodes) {
      expect(links.hosts.get(n.host)).toBe(n.region)
      expect(links.bandwidthMbit.get(n.host)).toBe(n.bandwidthMbit)
    }
    expect(links.hosts.get(map.driverHost)).toBe(scenario.network.regions[0])
  })

  it('each pod knows its name, IP, gossip and DNS name', async () => {
    const { objects } = await exported('smoke.toml')
    const env = ofKind(objects, StatefulSet)[0]?.spec?.template.spec?.containers[0]?.env
    expect(env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'GOSSIP', value: 'gossipsub' },
      { name: 'SELF_HOST', value: '$(POD_NAME).gs-europe.lab-test.svc.cluster.local' },
    ])
    // What the script does with them: start-node-script.test.ts runs it.
  })

  it('a traces volume every pod shares, and a driver Job allowed to delete pods', async () => {
    const { objects } = await exported('churn.toml')
    const [pvc] = ofKind(objects, PersistentVolumeClaim)
    expect(pvc?.spec?.accessModes).toEqual(['ReadWriteMany'])
    const traces = { name: 'traces', persistentVolumeClaim: { claimName: pvc?.metadata?.name } }
    for (const o of [...ofKind(objects, StatefulSet), ...ofKind(objects, Job)]) {
      expect(o.spec?.template.spec?.volumes).toContainEqual(traces)
    }
    const [account] = ofKind(objects, ServiceAccount)
    const [role] = ofKind(objects, Role)
    const [binding] = ofKind(objects, RoleBinding)
    const name = account?.metadata?.name
    expect(ofKind(objects, Job)[0]).toMatchObject({
      spec: {
        template: {
          spec: {
            serviceAccountName: name,
            containers: [
              { command: ['peerchain', 'lab', 'drive', '/lab/scenario.toml', '--kubernetes', '--out', '/traces'] },
            ],
          },
        },
      },
    })
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'lab-test' }])
    expect(binding?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role?.metadata?.name,
    })
    expect(role?.rules).toContainEqual(
      expect.objectContaining({ resources: ['pods'], verbs: expect.arrayContaining(['delete']) }),
    )
    // Node pods get no API access.
    for (const set of ofKind(objects, StatefulSet)) {
      expect(set.spec?.template.spec?.automountServiceAccountToken).toBe(false)
    }
  })
})

describe('kubernetesYaml', () => {
  it('is one multi-document file that reads back as the objects, in the YAML 1.1 kubectl speaks', async () => {
    // "y" is a boolean to a YAML 1.1 reader unless quoted; a 1.2 writer leaves it bare.
    const { objects } = await exported('smoke.toml', 'y')
    const docs = parseAllDocuments(kubernetesYaml(objects), { version: '1.1' })
    expect(docs.map((d) => d.toJS())).toEqual(objects)
    expect(docs[0]?.toJS().metadata.name).toBe('y')
  })
})
