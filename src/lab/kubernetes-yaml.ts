/**
 * The Kubernetes export as one multi-document YAML file. Written as YAML 1.1,
 * the dialect kubectl reads: a string such as `y`, `on` or `no` is quoted,
 * where a YAML 1.2 writer would leave it bare and kubectl would read a boolean.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { genesisToJson } from '../ledger/genesis.js'
import { exportKubernetes } from './kubernetes.js'
import { parseScenario, type Scenario, ScenarioError } from './scenario.js'
import { scenarioGenesis } from './tx-load.js'

export function kubernetesYaml(objects: ReadonlyArray<Record<string, unknown>>): string {
  return objects.map((o) => stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n')
}

/** The genesis `lab run` gives the same scenario: its senders funded, its block interval. */
export function labGenesisJson(scenario: Scenario): string {
  return `${JSON.stringify(genesisToJson(scenarioGenesis(scenario)), null, 2)}\n`
}

export interface KubernetesExportOptions {
  out: string
  image: string
  namespace: string
  storageClass?: string
}

/** Reads a scenario, writes `<out>/<name>.k8s.yaml`, and returns its path. Throws ScenarioError for a bad scenario. */
export async function writeKubernetesExport(file: string, opts: KubernetesExportOptions): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ScenarioError(file, [{ path: '', message: `cannot be read: ${(err as Error).message}` }])
  }
  const scenario = parseScenario(text, file)
  const objects = exportKubernetes(scenario, {
    image: opts.image,
    namespace: opts.namespace,
    scenarioText: text,
    genesisJson: labGenesisJson(scenario),
    ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
  })
  await mkdir(opts.out, { recursive: true })
  const path = join(opts.out, `${scenario.name}.k8s.yaml`)
  await writeFile(path, kubernetesYaml(objects))
  return path
}
