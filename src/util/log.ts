/**
 * A small structured, leveled logger on stderr, so stdout stays for machine-readable events.
 * Two formats: `json` (one object per line, for files and log collectors) and `pretty`
 * (one aligned line per record, for a person at a terminal). `auto` picks pretty on a TTY.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** What the operator asks for; `auto` is resolved by `resolveLogFormat`. */
export const LOG_FORMAT_SETTINGS = ['auto', 'pretty', 'json'] as const
export type LogFormatSetting = (typeof LOG_FORMAT_SETTINGS)[number]
export type LogFormat = 'json' | 'pretty'

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export interface LoggerOptions {
  /** Default json. */
  format?: LogFormat
  /** ANSI colours in the pretty format. Default false. */
  color?: boolean
  /** Injected in tests. */
  now?: () => Date
}

type Fields = Record<string, unknown>

export function createLogger(
  level: LogLevel = 'info',
  base: Fields = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
  options: LoggerOptions = {},
): Logger {
  const now = options.now ?? (() => new Date())
  const format = options.format === 'pretty' ? prettyLine(options.color === true) : jsonLine
  const emit = (lvl: LogLevel, msg: string, fields?: Fields): void => {
    if (ORDER[lvl] < ORDER[level]) return
    write(format(now(), lvl, msg, { ...base, ...fields }))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write, options),
  }
}

/**
 * `auto` is pretty when the stream is a terminal, JSON otherwise (a file, a pipe, a
 * log collector). Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
 */
export function resolveLogFormat(
  setting: LogFormatSetting,
  stream: { isTTY?: boolean } = process.stderr,
  env: Record<string, string | undefined> = process.env,
): { format: LogFormat; color: boolean } {
  const tty = stream.isTTY === true
  const format: LogFormat = setting === 'auto' ? (tty ? 'pretty' : 'json') : setting
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  return { format, color: format === 'pretty' && tty && !noColor }
}

const jsonReplacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Error) return value.message
  return value
}

function jsonLine(time: Date, level: LogLevel, msg: string, fields: Fields): string {
  return `${JSON.stringify({ time: time.toISOString(), level, msg, ...fields }, jsonReplacer)}\n`
}

const LEVEL_COLOR: Record<LogLevel, string> = { debug: '90', info: '32', warn: '33', error: '31' }
const paint = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`

/** `12:34:56.789 INFO  net: dialed peer peer=12D3… attempts=2` */
function prettyLine(color: boolean): (time: Date, level: LogLevel, msg: string, fields: Fields) => string {
  return (time, level, msg, fields) => {
    const { module, ...rest } = fields
    const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`
    const label = level.toUpperCase().padEnd(5)
    const parts = [color ? paint('2', clock) : clock, color ? paint(LEVEL_COLOR[level], label) : label]
    // Some modules already prefix their messages ("net: started"): one label is enough.
    if (module !== undefined && !msg.startsWith(`${String(module)}: `)) {
      parts.push(color ? paint('36', `${String(module)}:`) : `${String(module)}:`)
    }
    parts.push(msg)
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue
      parts.push(`${color ? paint('2', `${key}=`) : `${key}=`}${prettyValue(value)}`)
    }
    return `${parts.join(' ')}\n`
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** Bare when unambiguous, otherwise JSON-quoted, so a line still splits cleanly on spaces. */
function prettyValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value instanceof Error) return JSON.stringify(value.message)
  return JSON.stringify(value, jsonReplacer) ?? String(value)
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
