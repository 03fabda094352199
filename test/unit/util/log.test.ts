/** Both log formats: JSON lines (files, collectors) and pretty lines (a terminal), and how `auto` picks. */
import { describe, expect, it } from 'vitest'
import { createLogger, resolveLogFormat } from '../../../src/util/log.js'

const AT = new Date(2024, 0, 2, 3, 4, 5, 67) // local time 03:04:05.067
const now = (): Date => AT

function capture(level: 'debug' | 'info' | 'warn' | 'error', options: Parameters<typeof createLogger>[3]) {
  const lines: string[] = []
  const log = createLogger(level, { node: 'n1' }, (line) => lines.push(line), { now, ...options })
  return { log, lines }
}

describe('json format', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { log, lines } = capture('info', { format: 'json' })
    log.child({ module: 'net' }).info('dialed', { peer: 'p1', height: 5n, error: new Error('boom') })
    expect(lines).toHaveLength(1)
    expect(lines[0]?.endsWith('\n')).toBe(true)
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: AT.toISOString(),
      level: 'info',
      msg: 'dialed',
      node: 'n1',
      module: 'net',
      peer: 'p1',
      height: '5',
      error: 'boom',
    })
  })

  it('is the default format, and drops records below the level', () => {
    const { log, lines } = capture('warn', {})
    log.debug('no')
    log.info('no')
    log.warn('yes')
    log.error('yes too')
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error'])
  })
})

describe('pretty format', () => {
  it('writes time, level, module, message and key=value fields on one line', () => {
    const { log, lines } = capture('debug', { format: 'pretty' })
    log.child({ module: 'sync' }).warn('peer stalled', { peer: 'p1', batch: 3, reason: 'no answer', big: 10n })
    expect(lines).toEqual(['03:04:05.067 WARN  sync: peer stalled node=n1 peer=p1 batch=3 reason="no answer" big=10\n'])
  })

  it('shows a module only once when the message already starts with it', () => {
    const { log, lines } = capture('debug', { format: 'pretty' })
    log.child({ module: 'net' }).debug('net: started', { listen: ['/ip4/127.0.0.1/tcp/1'] })
    expect(lines).toEqual(['03:04:05.067 DEBUG net: started node=n1 listen=["/ip4/127.0.0.1/tcp/1"]\n'])
  })

  it('colours the level only when asked', () => {
    const plain = capture('info', { format: 'pretty', color: false })
    plain.log.error('x')
    expect(plain.lines[0]).not.toContain('\u001b[')
    const coloured = capture('info', { format: 'pretty', color: true })
    coloured.log.error('x')
    expect(coloured.lines[0]).toContain('\u001b[31mERROR')
  })
})

describe('resolveLogFormat', () => {
  const tty = { isTTY: true }
  const pipe = { isTTY: false }

  it('auto is pretty and coloured on a terminal, JSON otherwise', () => {
    expect(resolveLogFormat('auto', tty, {})).toEqual({ format: 'pretty', color: true })
    expect(resolveLogFormat('auto', pipe, {})).toEqual({ format: 'json', color: false })
    expect(resolveLogFormat('auto', {}, {})).toEqual({ format: 'json', color: false })
  })

  it('respects NO_COLOR, and an explicit format', () => {
    expect(resolveLogFormat('auto', tty, { NO_COLOR: '1' })).toEqual({ format: 'pretty', color: false })
    expect(resolveLogFormat('auto', tty, { NO_COLOR: '' })).toEqual({ format: 'pretty', color: true })
    expect(resolveLogFormat('json', tty, {})).toEqual({ format: 'json', color: false })
    expect(resolveLogFormat('pretty', pipe, {})).toEqual({ format: 'pretty', color: false })
  })
})
