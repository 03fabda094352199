/** A lab run directory whose files do not hold what src/lab/run-format.ts and src/trace/format.ts say. */
export class RunFormatError extends Error {
  override readonly name = 'RunFormatError'
  constructor(
    readonly file: string,
    /** 1-based line of a JSON-lines file; absent for a whole-file problem. */
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${reason}`)
  }
}
