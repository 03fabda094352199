/**
 * The file layer: `peerchain.toml`, parsed with smol-toml (loaded only when there is a
 * file to parse). Relative paths in it are relative to its directory.
 */
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type ConfigIssue, fileIssue } from './errors.js'
import { type ConfigLayer, isTable, resolvePath } from './layers.js'
import type { ConfigFileLocation } from './paths.js'
import { CONFIG_KEYS } from './schema.js'

/** Largest config file read (the full template is under 8 KiB); parsed and checked well within 50 ms. */
export const CONFIG_FILE_CHARS_MAX = 64 * 1024

/** The file's layer; none when the default file is absent; issues when it cannot be used. */
export async function fileLayer(
  location: ConfigFileLocation,
): Promise<{ layer?: ConfigLayer; issues: ConfigIssue[]; found: boolean }> {
  const { path } = location
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !location.required) return { issues: [], found: false }
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read: ${(err as Error).message}`
    return { issues: [fileIssue(path, location.source, problem)], found: false }
  }
  const source = `file ${path}` as const
  if (text.length > CONFIG_FILE_CHARS_MAX) {
    return { issues: [fileIssue(path, source, `is larger than ${CONFIG_FILE_CHARS_MAX} characters`)], found: true }
  }
  const { TomlError } = await import('smol-toml')
  let values: Record<string, unknown>
  try {
    values = await parseToml(text)
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    // smol-toml's message is "Invalid TOML document: <reason>" and then a code excerpt.
    const reason = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '')
    const problem = `is not valid TOML: line ${err.line}, column ${err.column}: ${reason}`
    return { issues: [fileIssue(path, source, problem)], found: true }
  }
  for (const key of CONFIG_KEYS) {
    const section = values[key.section]
    if (key.isPath && isTable(section) && key.name in section) {
      section[key.name] = resolvePath(section[key.name], dirname(path))
    }
  }
  return { layer: { values, sourceOf: () => source }, issues: [], found: true }
}

export async function parseToml(text: string): Promise<Record<string, unknown>> {
  const { parse } = await import('smol-toml')
  return parse(text) as Record<string, unknown>
}
