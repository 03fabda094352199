#!/usr/bin/env -S node --max-semi-space-size=64
// The flags on the line above are a node's runtime flags: src/node/runtime-flags.ts says why.
// The `peerchain` command: the bundled JavaScript in dist/bundle/, which `npm ci`
// builds from src/ (the `prepare` script; `npm run build` does it by hand). No
// transpiler runs here, and a start opens a few bundle files, not ~1,300 modules.
import { existsSync } from 'node:fs'
import module from 'node:module'

// Node 22.1+ keeps the compiled code of every module in a cache on disk (in the temp
// directory; $NODE_COMPILE_CACHE overrides it), so a later start skips compiling them:
// about 0.15 s of a node's start. Node 20 has no such cache.
module.enableCompileCache?.()

const main = new URL('../dist/bundle/main.js', import.meta.url)
if (!existsSync(main)) {
  console.error('peerchain: dist/bundle/main.js is missing: build it with `npm run build` (`npm ci` does it too)')
  process.exit(1)
}
await import(main.href)
