import { describe, expect, it } from 'vitest'
import { RequestError } from '../../../src/net/network.js'
import { raceAbort, toRequestError } from '../../../src/net/request.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'

const named = (name: string): Error => Object.assign(new Error('x'), { name })

describe('toRequestError', () => {
  const live = new AbortController().signal

  it('maps libp2p failures onto our codes', () => {
    expect(toRequestError(named('InvalidDataLengthError'), live, 'RESET').code).toBe('TOO_LARGE')
    expect(toRequestError(named('UnsupportedProtocolError'), live, 'DIAL_FAILED').code).toBe('PROTOCOL')
    expect(toRequestError(named('StreamResetError'), live, 'RESET').code).toBe('RESET')
    expect(toRequestError(named('UnexpectedEOFError'), live, 'RESET').code).toBe('RESET')
    expect(toRequestError(named('NoValidAddressesError'), live, 'DIAL_FAILED').code).toBe('DIAL_FAILED')
    expect(toRequestError(named('TimeoutError'), live, 'RESET').code).toBe('TIMEOUT')
  })

  it('calls anything after the deadline a timeout, and passes RequestErrors through', () => {
    expect(toRequestError(named('StreamResetError'), AbortSignal.abort(), 'RESET').code).toBe('TIMEOUT')
    const original = new RequestError('TOO_LARGE', 'mine')
    expect(toRequestError(original, AbortSignal.abort(), 'RESET')).toBe(original)
  })
})

describe('raceAbort', () => {
  it('rejects when the signal aborts first, and settles with the promise otherwise', async () => {
    const controller = new AbortController()
    const never = new Promise<number>(() => {})
    const raced = raceAbort(never, controller.signal)
    controller.abort(new Error('deadline'))
    await expect(raced).rejects.toThrow('deadline')
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7)
  })

  it('does not leave a late rejection unhandled', async () => {
    let fail!: (err: Error) => void
    const late = new Promise<number>((_, reject) => {
      fail = reject
    })
    const s = new SimScheduler()
    const deadline = new AbortController()
    s.setTimeout(() => deadline.abort(new Error('deadline')), 1)
    const raced = expect(raceAbort(late, deadline.signal)).rejects.toThrow('deadline')
    await s.run()
    await raced
    fail(new Error('late'))
    // let the late rejection settle: were it unhandled, the process would report it here and fail the run
    await s.run()
  })
})
