// npm runs this after `npm ci` / `npm install` in the project: compile src/ into dist/
// (which `bin/peerchain.js` runs) and build the dashboard into dist/dashboard/, when
// the build tools are installed. A production install (`--omit=dev`) has neither
// TypeScript nor Vite; the published package ships dist/ already built (`prepack`).
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { BuildError, buildDist } from './build-dist.mjs'

const require = createRequire(import.meta.url)
const installed = (name) => {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

if (!installed('typescript') || !installed('vite')) {
  console.log('peerchain: TypeScript and Vite are not installed (a production install), so dist/ is not rebuilt')
  process.exit(0)
}
try {
  const result = await buildDist()
  console.log(
    result.built ? `peerchain: built dist/ (${result.files} files)` : 'peerchain: dist/ is up to date with src/',
  )
} catch (err) {
  if (!(err instanceof BuildError)) throw err
  console.error(`peerchain: ${err.message}`)
  process.exit(1)
}
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:dashboard'], { stdio: 'inherit' })
