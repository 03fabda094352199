/**
 * Just enough of a Kubernetes API server for `kubectl apply --dry-run=client`
 * to run without a cluster: discovery (/api, /apis and each group version's
 * resources) for the kinds the lab export writes, and 404 for every object,
 * so kubectl maps each document to its resource and reports it "created
 * (dry run)". It stores nothing and validates nothing itself.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const GROUPS: Record<string, Array<[resource: string, kind: string, namespaced: boolean]>> = {
  v1: [
    ['namespaces', 'Namespace', false],
    ['configmaps', 'ConfigMap', true],
    ['services', 'Service', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['persistentvolumeclaims', 'PersistentVolumeClaim', true],
    ['pods', 'Pod', true],
  ],
  'apps/v1': [['statefulsets', 'StatefulSet', true]],
  'batch/v1': [['jobs', 'Job', true]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
  ],
}
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']

function resourceList(groupVersion: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: (GROUPS[groupVersion] ?? []).map(([name, kind, namespaced]) => ({
      name,
      singularName: kind.toLowerCase(),
      kind,
      namespaced,
      verbs: VERBS,
    })),
  }
}

function answer(path: string): [number, unknown] {
  if (path === '/api') {
    return [
      200,
      {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      },
    ]
  }
  if (path === '/apis') {
    const groups = Object.keys(GROUPS)
      .filter((gv) => gv.includes('/'))
      .map((groupVersion) => {
        const [name, version] = groupVersion.split('/') as [string, string]
        return { name, versions: [{ groupVersion, version }], preferredVersion: { groupVersion, version } }
      })
    return [200, { kind: 'APIGroupList', apiVersion: 'v1', groups }]
  }
  if (path === '/api/v1') return [200, resourceList('v1')]
  const group = /^\/apis\/([^/]+\/[^/]+)$/.exec(path)
  if (group && GROUPS[group[1]!]) return [200, resourceList(group[1]!)]
  return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }]
}

/** Starts the fake on 127.0.0.1 and an OS-chosen port; resolves with its URL and a stop function. */
export async function startFakeKubeApi(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const [status, body] = answer((req.url ?? '/').split('?')[0]!)
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
