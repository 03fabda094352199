/**
 * Turns zod's issues into a scenario author's terms: the key as written in
 * the file (`events[2].kind`) and what would be accepted there (`one of
 * split, heal, kill, churn`; `unknown key "at" (allowed: kind, at_s, groups)`).
 */
import { z } from 'zod'
import type { ScenarioIssue } from './scenario.js'
import { scenarioFileSchema } from './scenario-schema.js'

/** `events[2].kind` from ['events', 2, 'kind']. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}

/** The schema at `path`, following the input where a union needs its `kind` to choose. */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, input: unknown): z.ZodType | undefined {
  let s: z.ZodType = schema
  let value: unknown = input
  let i = 0
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) {
      s = s.unwrap() as z.ZodType
      continue
    }
    if (s instanceof z.ZodDiscriminatedUnion) {
      const kind = (value as { kind?: unknown } | undefined)?.kind
      const option = (s.options as z.ZodObject[]).find((o) => (o.shape.kind as z.ZodLiteral).value === kind)
      if (!option) return undefined
      s = option
      continue
    }
    if (i === path.length) return s
    const part = path[i]
    if (s instanceof z.ZodObject && typeof part === 'string') s = s.shape[part] as z.ZodType
    else if (s instanceof z.ZodArray && typeof part === 'number') s = s.element as z.ZodType
    else return undefined
    if (s === undefined) return undefined
    value = (value as Record<PropertyKey, unknown> | undefined)?.[part]
    i++
  }
}

const list = (values: ReadonlyArray<unknown>): string => values.map((v) => String(v)).join(', ')

function describeExpected(expected: string): string {
  if (expected === 'int') return 'an integer'
  if (expected === 'array') return 'a list'
  if (expected === 'object') return 'a table'
  return `a ${expected}`
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === undefined) return 'nothing (the key is required)'
  if (typeof value === 'object' && value !== null) return 'a table'
  return `${typeof value} ${JSON.stringify(value)}`
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input
  for (const part of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part]
  return value
}

export function formatZodIssue(issue: z.core.$ZodIssue, input: unknown): ScenarioIssue {
  const path = keyPath(issue.path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const shape = schemaAt(scenarioFileSchema, issue.path, input)
      const allowed = shape instanceof z.ZodObject ? Object.keys(shape.shape) : []
      const keys = issue.keys.map((k) => `"${k}"`).join(', ')
      return {
        path,
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${allowed.length > 0 ? ` (allowed: ${list(allowed)})` : ''}`,
      }
    }
    case 'invalid_union':
      {
        // zod 4 adds the discriminator's values to the issue of a discriminated union, beyond its typed fields.
        const options = (issue as { options?: unknown }).options
        if ('discriminator' in issue && Array.isArray(options)) {
          const got = valueAt(input, issue.path)
          return { path, message: `got ${typeOf(got)}; allowed: one of ${list(options)}` }
        }
      }
      return { path, message: issue.message }
    case 'invalid_value':
      return { path, message: `got ${typeOf(valueAt(input, issue.path))}; allowed: one of ${list(issue.values)}` }
    case 'invalid_type':
      return {
        path,
        message: `expected ${describeExpected(issue.expected)}, got ${typeOf(valueAt(input, issue.path))}`,
      }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const word = issue.code === 'too_small' ? 'at least' : 'at most'
      const exclusive = issue.code === 'too_small' ? 'more than' : 'less than'
      const what = issue.origin === 'array' ? ' entries' : ''
      return {
        path,
        message: `${issue.inclusive ? word : exclusive} ${String(bound)}${what}, got ${typeOf(valueAt(input, issue.path))}`,
      }
    }
    default:
      return { path, message: issue.message }
  }
}
