import { describe, expect, it } from 'vitest'
import {
  isAtBanThreshold,
  PeerScores,
  SCORE_BAN_THRESHOLD,
  SCORE_PEERS_MAX,
  SCORE_RECOVERY_PER_MINUTE,
} from '../../../src/net/scores.js'
import { manualClock } from './helpers.js'

describe('PeerScores', () => {
  it('starts at 0 and falls by each penalty', () => {
    const scores = new PeerScores(manualClock().nowMs)
    expect(scores.get('p')).toBe(0)
    expect(scores.charge('p', 30)).toBe(-30)
    expect(scores.charge('p', 20)).toBe(-50)
    expect(scores.get('p')).toBe(-50)
    expect(scores.get('other')).toBe(0)
  })

  it('reaches the ban threshold at exactly -100, not above', () => {
    expect(SCORE_BAN_THRESHOLD).toBe(-100)
    expect(isAtBanThreshold(-99)).toBe(false)
    expect(isAtBanThreshold(-100)).toBe(true)
    expect(isAtBanThreshold(-250)).toBe(true)
  })

  it('recovers toward 0 by whole minutes, never above 0', () => {
    const clock = manualClock()
    const scores = new PeerScores(clock.nowMs)
    scores.charge('p', 10)
    clock.advance(59_999)
    expect(scores.get('p')).toBe(-10)
    clock.advance(1)
    expect(scores.get('p')).toBe(-10 + SCORE_RECOVERY_PER_MINUTE)
    clock.advance(60 * 60_000)
    expect(scores.get('p')).toBe(0)
  })

  it('refuses negative or non-finite penalties', () => {
    const scores = new PeerScores(manualClock().nowMs)
    expect(() => scores.charge('p', -5)).toThrow(RangeError)
    expect(() => scores.charge('p', Number.NaN)).toThrow(RangeError)
    expect(scores.get('p')).toBe(0)
  })

  it('forgets a score on reset, and never remembers more than SCORE_PEERS_MAX peers', () => {
    const scores = new PeerScores(manualClock().nowMs)
    scores.charge('p', 10)
    scores.reset('p')
    expect(scores.get('p')).toBe(0)
    for (let i = 0; i <= SCORE_PEERS_MAX; i++) scores.charge(`peer-${i}`, 1)
    expect(scores.get('peer-0')).toBe(0) // the least recently charged went first
    expect(scores.get(`peer-${SCORE_PEERS_MAX}`)).toBe(-1)
  })
})
