/** MemoryStore.copy: a twin data directory that shares nothing it can change. */
import { describe, expect, it } from 'vitest'
import { MemoryStore, SharedValues } from '../../../src/storage/memory.js'

const key = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined)

describe('MemoryStore.copy', () => {
  it('holds the same entries, closed until opened, and writes to either leave the other alone', async () => {
    const a = new MemoryStore()
    await a.open()
    await a.batch([
      { type: 'put', key: key('k1'), value: key('v1') },
      { type: 'put', key: key('k2'), value: key('v2') },
    ])
    const b = a.copy()
    await expect(b.get(key('k1'))).rejects.toThrow('not open')
    await b.open()
    expect(text(await b.get(key('k1')))).toBe('v1')
    await b.batch([
      { type: 'put', key: key('k1'), value: key('changed') },
      { type: 'del', key: key('k2') },
    ])
    await a.batch([{ type: 'put', key: key('k3'), value: key('v3') }])
    expect(text(await a.get(key('k1')))).toBe('v1')
    expect(text(await a.get(key('k2')))).toBe('v2')
    expect(text(await b.get(key('k1')))).toBe('changed')
    expect(await b.get(key('k2'))).toBeUndefined()
    expect(await b.get(key('k3'))).toBeUndefined()
  })
})

describe('MemoryStore with SharedValues', () => {
  it('keeps one copy of an entry stores hold alike, and a store of its own for a value that differs', async () => {
    const shared = new SharedValues()
    const a = new MemoryStore({ shared })
    const b = new MemoryStore({ shared })
    await a.open()
    await b.open()
    const written = key('v1')
    await a.batch([{ type: 'put', key: key('k1'), value: written }])
    await b.batch([
      { type: 'put', key: key('k1'), value: key('v1') },
      { type: 'put', key: key('k2'), value: key('b-only') },
    ])
    expect(shared.size).toBe(2)
    written[0] = 0 // the caller's buffer is never held
    expect(text(await a.get(key('k1')))).toBe('v1')
    expect(await a.get(key('k1'))).toBe(await b.get(key('k1'))) // one shared copy
    await b.batch([{ type: 'put', key: key('k1'), value: key('changed') }])
    expect(text(await a.get(key('k1')))).toBe('v1')
    expect(text(await b.get(key('k1')))).toBe('changed')
    await a.batch([{ type: 'put', key: key('k1'), value: key('changed') }])
    expect(text(await a.get(key('k1')))).toBe('changed')
    expect(text(await b.get(key('k1')))).toBe('changed')
    const c = b.copy()
    await c.open()
    await c.batch([{ type: 'del', key: key('k2') }])
    expect(text(await b.get(key('k2')))).toBe('b-only')
  })
})
