import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { UsageError } from '../../../src/cli/errors.js'
import { labExportCommand } from '../../../src/cli/lab-export.js'

const SMOKE = join(import.meta.dirname, '../../../lab/scenarios/smoke.toml')

describe('peerchain lab export --kubernetes', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-export-'))
    vi.spyOn(console, 'log').mockImplementation(() => {})
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes <out>/<scenario>.k8s.yaml with the image and namespace given', async () => {
    const path = await labExportCommand(SMOKE, {
      kubernetes: true,
      out: dir,
      image: 'ghcr.io/x/peerchain:1',
      namespace: 'lab-a',
    })
    expect(path).toBe(join(dir, 'smoke.k8s.yaml'))
    const docs = parseAllDocuments(await readFile(path, 'utf8'), { version: '1.1' }).map((d) => d.toJS())
    expect(docs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'lab-a' } })
    const set = docs.find((d) => d.kind === 'StatefulSet')
    expect(set.metadata.namespace).toBe('lab-a')
    expect(set.spec.template.spec.containers[0].image).toBe('ghcr.io/x/peerchain:1')
    const config = docs.find((d) => d.kind === 'ConfigMap')
    expect(config.data['scenario.toml']).toBe(await readFile(SMOKE, 'utf8'))
  })

  it('refuses a missing target, a bad namespace or image, and a bad scenario, as usage errors', async () => {
    await expect(labExportCommand(SMOKE, { out: dir })).rejects.toThrow(/--kubernetes/)
    await expect(labExportCommand(SMOKE, { kubernetes: true, out: dir, namespace: 'Lab_A' })).rejects.toThrow(
      /--namespace: "Lab_A" is not a DNS label/,
    )
    await expect(labExportCommand(SMOKE, { kubernetes: true, out: dir, image: 'a b' })).rejects.toThrow(UsageError)
    const bad = join(dir, 'bad.toml')
    await writeFile(bad, 'duration_s = 10\n[[nodes]]\ncount = 2\nrole = "boss"\n')
    const err = await labExportCommand(bad, { kubernetes: true, out: dir }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UsageError)
    expect((err as Error).message).toContain(bad)
    expect((err as Error).message).toContain('nodes[0].role: got string "boss"; allowed: one of full, miner')
  })
})
