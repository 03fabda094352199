/**
 * The trace file: opened for appending (a restarted node adds a run that
 * begins with its own `start` line), its folder created if missing. Writes
 * are asynchronous and never fsynced: a trace is a measurement, and a node
 * killed mid-write loses at most its last flush.
 */
import { mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { TraceSink } from './writer.js'

export async function openTraceFile(path: string): Promise<TraceSink> {
  await mkdir(dirname(path), { recursive: true })
  const handle = await open(path, 'a')
  return {
    append: (text) => handle.appendFile(text, 'utf8'),
    close: () => handle.close(),
  }
}
