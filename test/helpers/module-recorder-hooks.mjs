// The loader hooks of module-recorder.mjs. A file of the CLI's bundle
// (dist/bundle/, scripts/build-dist.mjs) is recorded with the modules it holds,
// read from the bundle's inputs.json, as /dist/… and /node_modules/… paths.
import { appendFileSync, readFileSync } from 'node:fs'

let file
const bundles = new Map()

export function initialize(data) {
  file = data.file
}

function bundledModules(url) {
  const match = /^(.*\/dist\/bundle\/)(.+\.js)$/.exec(url)
  if (!match) return []
  const [, root, name] = match
  if (!bundles.has(root)) bundles.set(root, JSON.parse(readFileSync(new URL(`${root}inputs.json`), 'utf8')))
  return (bundles.get(root)[name] ?? []).map((path) => `bundle:${path}`)
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, [url, ...bundledModules(url)].map((line) => `${line}\n`).join(''))
  return nextLoad(url, context)
}
