/**
 * A preload for the start-up crash test (`node --import ./kill-at-write.mjs …`):
 * with PEERCHAIN_TEST_KILL_AT=<n> in the environment, the process SIGKILLs
 * itself just before its n-th file-system write step: open for writing, a
 * handle's write, rename, rm, unlink. (mkdir, chmod and fsync leave no
 * state a SIGKILL could tell apart from the step before: they are not kill
 * points, which keeps the test quick.) Node's
 * built-in fs/promises exports are patched in place before any module of ours
 * loads, so the code under test runs unchanged. Read by this helper only.
 */
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const killAt = Number(process.env.PEERCHAIN_TEST_KILL_AT ?? 0)
let steps = 0

function step(what) {
  steps++
  if (process.env.PEERCHAIN_TEST_KILL_TRACE) process.stderr.write(`step ${steps}: ${what}\n`)
  if (steps === killAt) process.kill(process.pid, 'SIGKILL')
}

if (killAt > 0 || process.env.PEERCHAIN_TEST_KILL_TRACE) {
  const p = fs.promises
  for (const name of ['rename', 'rm', 'unlink', 'writeFile']) {
    const original = p[name]
    p[name] = function (...args) {
      step(`${name} ${String(args[0])}`)
      return original.apply(this, args)
    }
  }
  const open = p.open
  p.open = async function (path, flags, ...rest) {
    const writing = typeof flags === 'string' && /[wa+]/.test(flags)
    if (writing) step(`open ${String(path)}`)
    const handle = await open.call(this, path, flags, ...rest)
    if (writing) {
      for (const name of ['writeFile', 'write']) {
        const method = handle[name].bind(handle)
        handle[name] = (...args) => {
          step(`${name} ${String(path)}`)
          return method(...args)
        }
      }
    }
    return handle
  }
  syncBuiltinESMExports()
}
