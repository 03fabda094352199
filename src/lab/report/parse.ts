/**
 * Strict parsing of a lab run's files: every line must be a known event of
 * the right shape, or a RunFormatError names the file and line. One kind of
 * damage is expected and tolerated: a node killed with SIGKILL may leave its
 * trace's last line half written. Such a line is dropped when it ends the
 * file, or when the node was restarted and appended a fresh `start` event
 * after it (on the same line, when the half line had no newline).
 */

import type { TraceEvent } from '../../trace/format.js'
import type { LabRun, LabTimelineEvent } from '../run-format.js'
import { RunFormatError } from './errors.js'
import { type Checked, checkLabRun, checkTimelineEvent, checkTraceEvent } from './schemas.js'

export interface ParsedTrace {
  events: TraceEvent[]
  /** Half-written lines dropped (one per SIGKILL that caught the writer mid-line). */
  truncatedLines: number
}

function parseJson(line: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(line) }
  } catch {
    return { ok: false }
  }
}

function checkLine<T>(line: string, checkEvent: (value: unknown) => Checked<T>): Checked<T> {
  const json = parseJson(line)
  if (!json.ok) return { ok: false, reason: 'not JSON' }
  return checkEvent(json.value)
}

/** The `start` event a restarted node appended to a half-written line, if the line ends with one. */
function trailingStart(line: string): TraceEvent | undefined {
  for (let at = line.indexOf('{', 1); at > 0; at = line.indexOf('{', at + 1)) {
    const parsed = checkLine(line.slice(at), checkTraceEvent)
    if (parsed.ok && parsed.value.e === 'start') return parsed.value
  }
  return undefined
}

/** Lines of a JSON-lines text: [1-based line number, text], blank lines skipped; `last` is the unterminated tail. */
function linesOf(text: string): { number: number; text: string; unterminated: boolean }[] {
  const parts = text.split('\n')
  const lines: { number: number; text: string; unterminated: boolean }[] = []
  for (const [i, part] of parts.entries()) {
    if (part.trim() === '') continue
    lines.push({ number: i + 1, text: part, unterminated: i === parts.length - 1 })
  }
  return lines
}

/** An empty text is an empty trace (a node killed before its first line); anything else begins with `start`. */
export function parseTrace(file: string, text: string): ParsedTrace {
  const events: TraceEvent[] = []
  let truncatedLines = 0
  const lines = linesOf(text)
  for (const [i, line] of lines.entries()) {
    const parsed = checkLine(line.text, checkTraceEvent)
    if (parsed.ok) {
      if (events.length === 0 && parsed.value.e !== 'start') {
        throw new RunFormatError(file, line.number, `a trace begins with a start event, not ${parsed.value.e}`)
      }
      events.push(parsed.value)
      continue
    }
    const restart = trailingStart(line.text)
    if (restart !== undefined && events.length > 0) {
      events.push(restart)
      truncatedLines++
      continue
    }
    const next = lines[i + 1]
    const nextEvent = next === undefined ? undefined : checkLine(next.text, checkTraceEvent)
    const beforeRestart = nextEvent?.ok === true && nextEvent.value.e === 'start'
    const halfWritten = parseJson(line.text).ok === false
    if (halfWritten && events.length > 0 && (line.unterminated || beforeRestart)) {
      truncatedLines++
      continue
    }
    throw new RunFormatError(file, line.number, parsed.reason)
  }
  return { events, truncatedLines }
}

export function parseTimeline(file: string, text: string): LabTimelineEvent[] {
  const events: LabTimelineEvent[] = []
  let last = Number.NEGATIVE_INFINITY
  for (const line of linesOf(text)) {
    const parsed = checkLine(line.text, checkTimelineEvent)
    if (!parsed.ok) throw new RunFormatError(file, line.number, parsed.reason)
    if (parsed.value.t < last) throw new RunFormatError(file, line.number, 'events out of time order')
    last = parsed.value.t
    events.push(parsed.value)
  }
  return events
}

export function parseLabRun(file: string, text: string): LabRun {
  const json = parseJson(text)
  if (!json.ok) throw new RunFormatError(file, undefined, 'not JSON')
  const parsed = checkLabRun(json.value)
  if (!parsed.ok) throw new RunFormatError(file, undefined, parsed.reason)
  return parsed.value
}
