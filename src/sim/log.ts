/** A simulated node's log: silent, except that every error record is handed on (the run counts it as a failure). */
import { type Logger, silentLogger } from '../util/log.js'

export function errorRecordingLogger(onError: (line: string) => void): Logger {
  const log: Logger = {
    ...silentLogger,
    error: (msg, fields) => onError(fields ? `${msg} ${JSON.stringify(fields)}` : msg),
    child: () => log,
  }
  return log
}
