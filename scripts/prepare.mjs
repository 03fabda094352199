// npm runs this after `npm ci` / `npm install` in the project: build the
// dashboard into dist/dashboard/ when the build tools are installed. A
// production install (`--omit=dev`) has no Vite; the published package ships
// the dashboard already built (`prepack`).
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
try {
  require.resolve('vite/package.json')
} catch {
  console.log('peerchain: Vite is not installed (a production install), so the dashboard is not rebuilt')
  process.exit(0)
}
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:dashboard'], { stdio: 'inherit' })
