/**
 * The integration project's global setup: integration tests run the real CLI,
 * `bin/peerchain.js`, which runs dist/; this brings dist/ up to date with src/
 * once before any test file starts, so no test runs code older than the
 * sources. (It builds only when something changed; see scripts/build-dist.mjs.)
 */
import type { TestProject } from 'vitest/node'
import { type BuildResult, buildDist } from '../../scripts/build-dist.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** What the global setup's build did; test/integration/dist.test.ts checks it ran. */
    distBuild: BuildResult
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const result = await buildDist()
  if (result.built) console.log(`peerchain: built dist/ for the integration tests (${result.files} files)`)
  project.provide('distBuild', result)
}
