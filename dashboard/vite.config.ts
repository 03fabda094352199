/**
 * Builds the web dashboard into dist/dashboard/, which the node serves under
 * /dashboard/ on its RPC port (src/api/static.ts). JSX goes through Vite's own
 * oxc transform with Preact's automatic runtime: no Babel, no framework plugin.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root: here,
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline polyfill script: the page runs under a CSP without 'unsafe-inline'.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
})
