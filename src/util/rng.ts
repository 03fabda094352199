import { randomBytes } from 'node:crypto'

/** Randomness reaches pure layers only through an Rng, so runs can be replayed from a seed. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
}

export const systemRng: Rng = {
  next: () => randomBytes(4).readUInt32BE(0) / 2 ** 32,
  int: (n) => Math.floor((randomBytes(4).readUInt32BE(0) / 2 ** 32) * n),
}

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
