/** Time reaches pure layers only through a Clock, so tests and the lab can simulate it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number
}

export const systemClock: Clock = { nowMs: () => Date.now() }

/** A clock that moves only when told to: for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private timeMs = 0) {}
  nowMs(): number {
    return this.timeMs
  }
  set(timeMs: number): void {
    this.timeMs = timeMs
  }
  advance(ms: number): void {
    this.timeMs += ms
  }
}
