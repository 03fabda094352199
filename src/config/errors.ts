/**
 * A configuration the node refuses to start with. Each issue names the key, the
 * value, what is allowed and where the value came from; one error carries every
 * issue found, so an operator fixes them all in one pass.
 */

/** Where a value came from: 'file <path>', 'env PEERCHAIN_X', 'flag --x' or 'default'. */
export type ConfigSource = `file ${string}` | `env ${string}` | `flag --${string}` | 'default'

export interface ConfigIssue {
  /** 'rpc.port'; '(file)' when the file itself is the problem (missing, unreadable, not TOML). */
  key: string
  value: unknown
  /** What would be accepted, read after "expected". */
  allowed: string
  source: ConfigSource
  /** The whole line, e.g. `rpc.port: 70000 is not allowed (from env PEERCHAIN_RPC_PORT): expected an integer 0-65535`. */
  message: string
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  /** The first issue's fields; `issues` has them all. */
  readonly key: string
  readonly value: unknown
  readonly allowed: string
  readonly source: ConfigSource

  constructor(readonly issues: readonly [ConfigIssue, ...ConfigIssue[]]) {
    super(issues.map((i) => i.message).join('\n'))
    const [first] = issues
    this.key = first.key
    this.value = first.value
    this.allowed = first.allowed
    this.source = first.source
  }
}

/** Throws one ConfigError for all of `issues`, if there are any. */
export function throwIfAny(issues: ConfigIssue[]): void {
  const [first, ...rest] = issues
  if (first !== undefined) throw new ConfigError([first, ...rest])
}

/** Shows a value as the operator typed it: strings quoted, numbers and lists as JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(nothing)'
  if (typeof value === 'bigint') return value.toString()
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export function invalidValue(
  key: string,
  value: unknown,
  allowed: string,
  source: ConfigSource,
  detail?: string,
): ConfigIssue {
  const why = detail === undefined ? '' : ` (${detail})`
  return {
    key,
    value,
    allowed,
    source,
    message: `${key}: ${showValue(value)} is not allowed (from ${source}): expected ${allowed}${why}`,
  }
}

export function unknownKey(key: string, value: unknown, allowed: string, source: ConfigSource): ConfigIssue {
  return { key, value, allowed, source, message: `${key} is not a known key (from ${source}): expected ${allowed}` }
}

/** The file itself: missing, unreadable, or not TOML. */
export function fileIssue(path: string, source: ConfigSource, problem: string): ConfigIssue {
  return {
    key: '(file)',
    value: path,
    allowed: 'a readable TOML file',
    source,
    // A file's own problem needs no "(from file …)": the path is already in the message.
    message: `config file ${path} ${problem}${source.startsWith('file ') ? '' : ` (from ${source})`}`,
  }
}
