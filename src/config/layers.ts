/**
 * A layer is the values one source gives (the file, the environment, the flags),
 * nested like the file. Each layer is checked on its own against the schema, so a
 * bad value is reported with its source even when a later layer overrides it;
 * then the layers are merged, later ones winning key by key (a list is replaced
 * whole, not appended to).
 */
import { isAbsolute, resolve } from 'node:path'
import type { z } from 'zod'
import { type ConfigIssue, type ConfigSource, invalidValue, throwIfAny, unknownKey } from './errors.js'
import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigValues,
  configKey,
  configSchema,
  DETAIL_PARAM,
  type KeyKind,
  SECTION_NAMES,
} from './schema.js'

export type Nested = Record<string, unknown>

export interface ConfigLayer {
  /** `{ rpc: { port: 9000 } }` */
  values: Nested
  /** Where the value at a key path ('rpc.port') came from. */
  sourceOf(path: string): ConfigSource
}

/**
 * Reads a string from the environment or a flag as the key's kind. A string that is
 * not one (e.g. "abc" for a port) is kept as it is, so the schema refuses it by name.
 */
export function coerce(kind: KeyKind, text: string): unknown {
  switch (kind) {
    case 'integer':
      return /^[+-]?[0-9]+$/.test(text) ? Number(text) : text
    case 'boolean':
      if (text === 'true' || text === '1') return true
      if (text === 'false' || text === '0') return false
      return text
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    case 'string':
      return text
  }
}

export const isTable = (value: unknown): value is Nested =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Sets a known key in a nested object, resolving a relative path value against `baseDir`. */
export function setKey(values: Nested, key: ConfigKey, value: unknown, baseDir: string): void {
  const section = isTable(values[key.section]) ? (values[key.section] as Nested) : {}
  values[key.section] = section
  section[key.name] = key.isPath ? resolvePath(value, baseDir) : value
}

export function resolvePath(value: unknown, baseDir: string): unknown {
  return typeof value === 'string' && value !== '' && !isAbsolute(value) ? resolve(baseDir, value) : value
}

function valueAt(values: Nested, path: readonly PropertyKey[]): unknown {
  let at: unknown = values
  for (const step of path) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<PropertyKey, unknown>)[step]
  }
  return at
}

/** Every problem with one layer's values, each naming its key, value and source. */
export function checkLayer(layer: ConfigLayer): ConfigIssue[] {
  const result = configSchema.safeParse(layer.values)
  return result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, layer))
}

function describeIssue(issue: z.core.$ZodIssue, layer: ConfigLayer): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.map(String)
    return issue.keys.map((name) => {
      const path = [...parent, name].join('.')
      const value = valueAt(layer.values, [...issue.path, name])
      return unknownKey(path, value, knownKeysAt(parent[0]), layer.sourceOf(path))
    })
  }
  const [section, name] = issue.path.map(String)
  if (name === undefined) {
    // A section that is not a table, e.g. `rpc = 8645` at the top of the file.
    const key = section ?? '(root)'
    return [invalidValue(key, valueAt(layer.values, issue.path), `a [${key}] table`, layer.sourceOf(key))]
  }
  const path = `${section}.${name}`
  // A list item's issue shows the item, not the whole list.
  const value = valueAt(layer.values, issue.path)
  const allowed = configKey(path)?.allowed ?? 'a known key'
  const detail =
    issue.code === 'custom' && (issue.params as Record<string, unknown> | undefined)?.[DETAIL_PARAM] === true
      ? issue.message
      : undefined
  return [invalidValue(path, value, allowed, layer.sourceOf(path), detail)]
}

function knownKeysAt(section: string | undefined): string {
  if (section === undefined) return `a section: ${SECTION_NAMES.map((s) => `[${s}]`).join(', ')}`
  const keys = CONFIG_KEYS.filter((k) => k.section === section).map((k) => k.path)
  return `one of ${keys.join(', ')}`
}

/** Merges checked layers, later ones winning key by key, and parses the result (defaults fill the rest). */
export function mergeLayers(layers: readonly ConfigLayer[]): {
  values: ConfigValues
  sources: Record<string, ConfigSource>
} {
  const merged: Nested = {}
  const sources: Record<string, ConfigSource> = Object.fromEntries(CONFIG_KEYS.map((k) => [k.path, 'default']))
  for (const layer of layers) {
    for (const key of CONFIG_KEYS) {
      const section = layer.values[key.section]
      if (!isTable(section) || !(key.name in section) || section[key.name] === undefined) continue
      const target = isTable(merged[key.section]) ? (merged[key.section] as Nested) : {}
      target[key.name] = section[key.name]
      merged[key.section] = target
      sources[key.path] = layer.sourceOf(key.path)
    }
  }
  const mergedLayer: ConfigLayer = { values: merged, sourceOf: (path) => sources[path] ?? 'default' }
  throwIfAny(checkLayer(mergedLayer))
  return { values: configSchema.parse(merged), sources }
}
