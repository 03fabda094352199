/**
 * `peerchain lab export --kubernetes`: a scenario as Kubernetes objects, so
 * the same nodes, link shaping, timeline and report run on a cluster instead
 * of one machine's loopback.
 *
 *   Namespace                the lab's own
 *   ServiceAccount, Role,    the driver Job's identity: may get, list, watch
 *   RoleBinding "lab-driver" and delete pods in the namespace (kills, churn)
 *   ConfigMap "lab"          scenario.toml, links.json, nodes.json, roles.txt, start-node.sh
 *   ConfigMap "lab-genesis"  genesis.json (alone: 10,000 funded senders take ~0.7 MB of a ConfigMap's 1 MiB)
 *   PVC "lab-traces"         ReadWriteMany, mounted at /traces by every pod
 *   per gossip protocol and region:
 *     Service <g>-<region>   headless, so each pod has a stable DNS name
 *     StatefulSet <g>-<region>  one pod per node of that region (g: gs = gossipsub, fs = floodsub)
 *   Service "lab-driver" + Job "lab-drive"  the driver (and the attackers it runs)
 *
 * Contract with `peerchain lab drive /lab/scenario.toml --kubernetes --out /traces`
 * (the Job's command; src/cli owns it): node pods start `peerchain start` only
 * when the driver says so, through files on the shared volume.
 *   /traces/<gossip>/up/<pod>          created: the pod's node starts (or restarts);
 *                                      removed, then the pod deleted: the node stops
 *                                      (delete with grace 0 for SIGKILL, default for SIGTERM;
 *                                      the StatefulSet recreates the pod, which waits again)
 *   /traces/<gossip>/bootstrap.txt     multiaddrs a starting node dials (written by the driver)
 *   /traces/data/<pod>/rpc.cookie      the node's API token, for its RPC at http://<pod host>:8545
 *   /traces/<gossip>/traces/<pod>.jsonl  the node's trace; run.json's `trace` points here
 *   /lab/nodes.json                    which pod is which scenario node (KubernetesLabMap)
 * The driver plays the timeline as `lab run` does (miner_generate, tx_submit,
 * lab_partition by pod IP), then writes DIR/<gossip>/run.json, timeline.jsonl
 * and DIR/report.{json,html} under /traces. Attackers run in the driver's pod,
 * whose stable name (driver.lab-driver.<ns>.svc.cluster.local) the links file
 * places in the first attacker's region.
 */
import type { Gossip } from './run-format.js'
import type { Scenario } from './scenario.js'
import { expandNodes, type LabNode } from './scenario-nodes.js'

export interface KubernetesOptions {
  /** The container image holding peerchain (lab/Dockerfile). */
  image: string
  namespace: string
  /** The scenario file's text, as the driver will parse it. */
  scenarioText: string
  /** The genesis every node and the driver share (JSON). */
  genesisJson: string
  /** The traces volume's size request. Default 10Gi. */
  storage?: string
  /** The traces volume's storage class (it must offer ReadWriteMany); default: the cluster's. */
  storageClass?: string
}

export const P2P_PORT = 9000
export const RPC_PORT = 8545
const APP = 'peerchain-lab'
const DRIVER = 'lab-driver'
const CONFIG = 'lab'
const GENESIS = 'lab-genesis'
/** What Kubernetes stores in one ConfigMap. */
export const CONFIG_MAP_BYTES_MAX = 1024 * 1024
const TRACES = 'lab-traces'

const SHORT: Record<Gossip, string> = { gossipsub: 'gs', floodsub: 'fs' }

/** The StatefulSet (and headless Service) of one region under one gossip protocol. */
export const statefulSetName = (gossip: Gossip, region: string): string => `${SHORT[gossip]}-${region}`

export interface KubernetesNode {
  name: string
  pod: string
  /** The pod's stable DNS name. */
  host: string
  region: string
  role: 'full' | 'miner'
  hashShare: number
  bandwidthMbit: number
  joinAtS: number
  rpc: string
  dataDir: string
  trace: string
}

/** /lab/nodes.json: which pod is which node, per gossip run. */
export interface KubernetesLabMap {
  scenario: string
  namespace: string
  driverHost: string
  runs: Array<{ gossip: Gossip; dir: string; nodes: KubernetesNode[] }>
}

function podsOf(nodes: LabNode[], gossip: Gossip, namespace: string): KubernetesNode[] {
  const ordinal = new Map<string, number>()
  return nodes.map((n) => {
    const set = statefulSetName(gossip, n.region)
    const k = ordinal.get(set) ?? 0
    ordinal.set(set, k + 1)
    const pod = `${set}-${k}`
    const host = `${pod}.${set}.${namespace}.svc.cluster.local`
    return {
      name: n.name,
      pod,
      host,
      region: n.region,
      role: n.role,
      hashShare: n.hashShare,
      bandwidthMbit: n.bandwidthMbit,
      joinAtS: n.joinAtS,
      rpc: `http://${host}:${RPC_PORT}`,
      dataDir: `/traces/data/${pod}`,
      trace: `traces/${pod}.jsonl`,
    }
  })
}

export function kubernetesLabMap(scenario: Scenario, namespace: string): KubernetesLabMap {
  const nodes = expandNodes(scenario)
  return {
    scenario: scenario.name,
    namespace,
    driverHost: `driver.${DRIVER}.${namespace}.svc.cluster.local`,
    runs: scenario.gossip.map((gossip) => ({ gossip, dir: gossip, nodes: podsOf(nodes, gossip, namespace) })),
  }
}

/** The links file every node shares; `start-node.sh` puts the pod's own host name in for `@SELF@`. */
export function kubernetesLinks(scenario: Scenario, map: KubernetesLabMap): Record<string, unknown> {
  const hosts: Record<string, string> = {}
  const bandwidthMbit: Record<string, number> = {}
  for (const run of map.runs) {
    for (const n of run.nodes) {
      hosts[n.host] = n.region
      bandwidthMbit[n.host] = n.bandwidthMbit
    }
  }
  hosts[map.driverHost] = scenario.attackers[0]?.region ?? scenario.network.regions[0]!
  return {
    self: '@SELF@',
    hosts,
    regions: scenario.network.regions,
    latencyMs: scenario.network.latency_ms,
    jitterMs: scenario.network.jitter_ms,
    bandwidthMbit,
    defaultBandwidthMbit: scenario.network.bandwidth_mbit,
    partition: null,
  }
}

/** What each node pod runs: wait for the driver's go, then `peerchain start` with the lab's flags. */
export const START_NODE_SH = `#!/bin/sh
# One lab node (generated by peerchain lab export --kubernetes). It starts
# when the driver creates /traces/$GOSSIP/up/$POD_NAME; the driver stops it by
# removing that file and deleting the pod. LAB_DIR and TRACES_DIR are for tests.
set -eu
lab="\${LAB_DIR:-/lab}"
traces="\${TRACES_DIR:-/traces}"
run="$traces/$GOSSIP"
# The shell may be PID 1 while it waits, and PID 1 ignores a signal it does not handle.
trap 'exit 0' TERM INT
while [ ! -e "$run/up/$POD_NAME" ]; do sleep 1; done
role=$(sed -n "s/^$POD_NAME //p" "$lab/roles.txt")
mkdir -p "$run/traces" "$traces/data"
links="\${TMPDIR:-/tmp}/links.json"
sed "s/@SELF@/$SELF_HOST/" "$lab/links.json" > "$links"
set -- --datadir "$traces/data/$POD_NAME" --genesis "$lab/genesis.json" \\
  --listen "/ip4/$POD_IP/tcp/${P2P_PORT}" --rpc-host 0.0.0.0 --rpc-port ${RPC_PORT} \\
  --lab --lab-links "$links" --trace "$run/traces/$POD_NAME.jsonl" \\
  --gossip "$GOSSIP" --role "\${role:-full}" --log-format json --no-dandelion
if [ -s "$run/bootstrap.txt" ]; then
  # One multiaddr per word.
  set -- "$@" --bootstrap $(cat "$run/bootstrap.txt")
fi
exec peerchain start "$@"
`

const labels = (extra: Record<string, string> = {}) => ({ 'app.kubernetes.io/name': APP, ...extra })

function envFrom(name: string, fieldPath: string) {
  return { name, valueFrom: { fieldRef: { fieldPath } } }
}

// Both ConfigMaps appear as files in /lab.
const volumes = [
  {
    name: 'lab',
    projected: { defaultMode: 0o555, sources: [{ configMap: { name: CONFIG } }, { configMap: { name: GENESIS } }] },
  },
  { name: 'traces', persistentVolumeClaim: { claimName: TRACES } },
]
const volumeMounts = [
  { name: 'lab', mountPath: '/lab', readOnly: true },
  { name: 'traces', mountPath: '/traces' },
]

function regionObjects(
  gossip: Gossip,
  region: string,
  replicas: number,
  namespace: string,
  image: string,
): [Record<string, unknown>, Record<string, unknown>] {
  const name = statefulSetName(gossip, region)
  const selector = labels({ 'peerchain.dev/set': name })
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: labels({ 'peerchain.dev/gossip': gossip, 'peerchain.dev/region': region }) },
    spec: {
      clusterIP: 'None',
      // Pods are named in DNS before their node runs: the shaper and the driver resolve them early.
      publishNotReadyAddresses: true,
      selector,
      ports: [
        { name: 'p2p', port: P2P_PORT, targetPort: P2P_PORT },
        { name: 'rpc', port: RPC_PORT, targetPort: RPC_PORT },
      ],
    },
  }
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: labels({ 'peerchain.dev/gossip': gossip, 'peerchain.dev/region': region }) },
    spec: {
      serviceName: name,
      replicas,
      // Every pod at once: each waits for the driver's go, so none would ever become "ready" in order.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, 'peerchain.dev/gossip': gossip, 'peerchain.dev/region': region } },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'node',
              image,
              command: ['sh', '/lab/start-node.sh'],
              env: [
                envFrom('POD_NAME', 'metadata.name'),
                envFrom('POD_IP', 'status.podIP'),
                { name: 'GOSSIP', value: gossip },
                { name: 'SELF_HOST', value: `$(POD_NAME).${name}.${namespace}.svc.cluster.local` },
              ],
              ports: [
                { name: 'p2p', containerPort: P2P_PORT },
                { name: 'rpc', containerPort: RPC_PORT },
              ],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  }
  return [service, statefulSet]
}

function driverObjects(namespace: string, image: string): Record<string, unknown>[] {
  const meta = (name: string) => ({ name, namespace, labels: labels() })
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(DRIVER) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(DRIVER),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(DRIVER),
      subjects: [{ kind: 'ServiceAccount', name: DRIVER, namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: DRIVER },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(DRIVER),
      spec: {
        clusterIP: 'None',
        selector: labels({ 'peerchain.dev/role': 'driver' }),
        ports: [{ name: 'p2p', port: P2P_PORT }],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('lab-drive'),
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: labels({ 'peerchain.dev/role': 'driver' }) },
          spec: {
            serviceAccountName: DRIVER,
            restartPolicy: 'Never',
            // driver.lab-driver.<ns>.svc.cluster.local: the attackers' host in the links file.
            hostname: 'driver',
            subdomain: DRIVER,
            containers: [
              {
                name: 'driver',
                image,
                command: ['peerchain', 'lab', 'drive', '/lab/scenario.toml', '--kubernetes', '--out', '/traces'],
                env: [envFrom('NAMESPACE', 'metadata.namespace'), envFrom('POD_IP', 'status.podIP')],
                resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  ]
}

/** Every object of the scenario's lab, in the order `kubectl apply` should create them. */
export function exportKubernetes(scenario: Scenario, opts: KubernetesOptions): Record<string, unknown>[] {
  const { namespace, image } = opts
  const map = kubernetesLabMap(scenario, namespace)
  const roles = map.runs.flatMap((r) => r.nodes.map((n) => `${n.pod} ${n.role}\n`)).join('')
  const objects: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: labels() } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONFIG, namespace, labels: labels() },
      data: {
        'scenario.toml': opts.scenarioText,
        'links.json': `${JSON.stringify(kubernetesLinks(scenario, map), null, 2)}\n`,
        'nodes.json': `${JSON.stringify(map, null, 2)}\n`,
        'roles.txt': roles,
        'start-node.sh': START_NODE_SH,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: GENESIS, namespace, labels: labels() },
      data: { 'genesis.json': opts.genesisJson },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: TRACES, namespace, labels: labels() },
      spec: {
        // Every node writes its trace and data here and the driver reads them all.
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: opts.storage ?? '10Gi' } },
        ...(opts.storageClass ? { storageClassName: opts.storageClass } : {}),
      },
    },
  ]
  for (const run of map.runs) {
    for (const region of scenario.network.regions) {
      const replicas = run.nodes.filter((n) => n.region === region).length
      if (replicas > 0) objects.push(...regionObjects(run.gossip, region, replicas, namespace, image))
    }
  }
  objects.push(...driverObjects(namespace, image))
  for (const o of objects) {
    if (o.kind !== 'ConfigMap') continue
    const bytes = Object.values(o.data as Record<string, string>).reduce((n, v) => n + Buffer.byteLength(v), 0)
    if (bytes > CONFIG_MAP_BYTES_MAX) {
      const name = (o.metadata as { name: string }).name
      throw new KubernetesExportError(
        `ConfigMap ${name} would hold ${bytes} bytes; Kubernetes takes at most ${CONFIG_MAP_BYTES_MAX}`,
      )
    }
  }
  return objects
}

/** A scenario the export cannot express as Kubernetes objects. */
export class KubernetesExportError extends Error {
  override readonly name = 'KubernetesExportError'
}
