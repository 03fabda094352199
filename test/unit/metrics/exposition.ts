/** A strict parser of the Prometheus text exposition format (0.0.4), for tests. */
import type { Registry } from 'prom-client'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Family {
  name: string
  help?: string
  type?: string
  samples: Sample[]
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`)
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y
const SUFFIXES = ['_bucket', '_sum', '_count']

/** Families by name; throws on any line that is not HELP, TYPE, a sample or blank. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const family = (name: string): Family => {
    let f = families.get(name)
    if (!f) {
      f = { name, samples: [] }
      families.set(name, f)
    }
    return f
  }
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line)
    if (meta) {
      const f = family(meta[2] as string)
      if (meta[1] === 'HELP') f.help = meta[3]
      else f.type = meta[3]
      continue
    }
    const m = SAMPLE.exec(line)
    if (!m) throw new Error(`not an exposition line: ${JSON.stringify(line)}`)
    const name = m[1] as string
    const labels = parseLabels(m[2] ?? '', line)
    const value = parseValue(m[3] as string, line)
    const base = SUFFIXES.find((s) => name.endsWith(s) && families.has(name.slice(0, -s.length)))
    family(base ? name.slice(0, -(base as string).length) : name).samples.push({ name, labels, value })
  }
  return families
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text)
    if (!m) throw new Error(`bad labels in ${JSON.stringify(line)}`)
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
  }
  return labels
}

function parseValue(text: string, line: string): number {
  // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes "Nan")
  const word = text.toLowerCase()
  if (word === '+inf' || word === 'inf') return Number.POSITIVE_INFINITY
  if (word === '-inf') return Number.NEGATIVE_INFINITY
  if (word === 'nan') return Number.NaN
  const value = Number(text)
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value in ${JSON.stringify(line)}`)
  return value
}

/** Scrapes `registry` and returns the value of one series (undefined when it does not exist). */
export async function sampleValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const families = parseExposition(await registry.metrics())
  const samples = families.get(name)?.samples ?? []
  const keys = Object.keys(labels)
  const match = samples.find(
    (s) =>
      s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]),
  )
  return match?.value
}
