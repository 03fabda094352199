/**
 * `peerchain lab export --kubernetes SCENARIO.toml [--out DIR] [--image IMG]
 * [--namespace NS] [--storage-class SC]`: writes the scenario's Kubernetes
 * objects (src/lab/kubernetes.ts) as one YAML file to apply with kubectl.
 */
import { resolve } from 'node:path'
import { KubernetesExportError } from '../lab/kubernetes.js'
import { ScenarioError } from '../lab/scenario.js'
import { UsageError } from './errors.js'

export interface LabExportFlags {
  kubernetes?: boolean
  out?: string
  image?: string
  namespace?: string
  storageClass?: string
}

export const DEFAULT_IMAGE = 'peerchain:latest'
export const DEFAULT_NAMESPACE = 'peerchain-lab'
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** Writes the export and returns the file's path; a bad flag or scenario is a UsageError. */
export async function labExportCommand(file: string, flags: LabExportFlags): Promise<string> {
  if (!flags.kubernetes) throw new UsageError('lab export: say what to export to: --kubernetes (the only target)')
  const namespace = flags.namespace ?? DEFAULT_NAMESPACE
  if (!DNS_LABEL.test(namespace)) {
    throw new UsageError(
      `--namespace: "${namespace}" is not a DNS label (lowercase letters, digits and "-", at most 63)`,
    )
  }
  const image = flags.image ?? DEFAULT_IMAGE
  if (image.trim() === '' || /\s/.test(image)) throw new UsageError(`--image: "${image}" is not an image reference`)
  const { writeKubernetesExport } = await import('../lab/kubernetes-yaml.js')
  try {
    const path = await writeKubernetesExport(file, {
      out: resolve(flags.out ?? '.'),
      image,
      namespace,
      ...(flags.storageClass ? { storageClass: flags.storageClass } : {}),
    })
    console.log(path)
    return path
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof KubernetesExportError) throw new UsageError(err.message)
    throw err
  }
}
