/**
 * Time budgets for fuzz tests on a shared 2-core machine: a garbage
 * collection or another process can stall any single run, but not three in a
 * row. `timedMs` runs `fn` until one run fits `budgetMs` (at most `tries`
 * times) and returns the fastest run, so a decoder that is really slow still
 * fails while scheduling noise does not.
 */
export function timedMs(fn: () => void, budgetMs: number, tries = 3): number {
  let fastest = Number.POSITIVE_INFINITY
  for (let i = 0; i < tries && fastest >= budgetMs; i++) {
    const started = performance.now()
    fn()
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

/** The same for async work (a JSON-RPC call through the dispatcher). */
export async function timedMsAsync(fn: () => Promise<void>, budgetMs: number, tries = 3): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY
  for (let i = 0; i < tries && fastest >= budgetMs; i++) {
    const started = performance.now()
    await fn()
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}
