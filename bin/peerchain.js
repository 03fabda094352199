#!/usr/bin/env node
// The `peerchain` command. Runs the TypeScript sources through tsx, so `npx peerchain`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
