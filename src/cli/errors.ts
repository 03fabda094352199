/** The CLI's own errors, in a module of their own so that every command can throw them without loading another. */

/** A command was used wrongly: a bad flag value or argument (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
