import { randomBytes } from 'node:crypto'

/** Randomness reaches pure layers only through an Rng, so runs can be replayed from a seed. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
}

/**
 * The OS's CSPRNG, drawn 4 KiB at a time: one `randomBytes` call per 1,024
 * draws instead of one per draw. A call into the OS per draw cost the lab's
 * nodes whole percents of a core (the peer manager's address picks draw
 * thousands of numbers a second in a small network).
 */
export function pooledSystemRng(poolBytes = 4096): Rng {
  let pool = Buffer.alloc(0)
  let offset = 0
  const u32 = (): number => {
    if (offset + 4 > pool.length) {
      pool = randomBytes(poolBytes)
      offset = 0
    }
    const value = pool.readUInt32BE(offset)
    offset += 4
    return value
  }
  return {
    next: () => u32() / 2 ** 32,
    int: (n) => Math.floor((u32() / 2 ** 32) * n),
  }
}

export const systemRng: Rng = pooledSystemRng()

/** Seeded, deterministic generator (mulberry32): for tests and simulations only. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  return { next, int: (n) => Math.floor(next() * n) }
}

/** An exponential draw with the given mean (inverse transform of one uniform draw): waiting times of a Poisson process. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean
}
