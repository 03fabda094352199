/** A failed build: tsc's or esbuild's errors, a missing compiler, or a lock held too long. */
export declare class BuildError extends Error {}

export interface BuildResult {
  /** False when dist/ was already built from these inputs. */
  built: boolean
  /** Files written into dist/. */
  files: number
  ms: number
}

export declare const STAMP_FILE: string
export declare const LOCK_FILE: string
/** In dist/bundle/: the modules each bundle file holds, as /dist/… and /node_modules/… paths. */
export declare const BUNDLE_INPUTS: string
/** Bundle entry points: the name under dist/bundle/ (without .js) → the compiled module under dist/. */
export type BundleEntries = Record<string, string>
/** The CLI's bundle entries. */
export declare const BUNDLE_ENTRIES: BundleEntries
/** The hash of everything the build reads (src/, the tsconfig files, package.json, the tsc and esbuild versions). */
export declare function inputFingerprint(root?: string): Promise<string>
/** Whether dist/ was built from the sources as they are now, with every output present. */
export declare function isDistFresh(root?: string, bundle?: BundleEntries): Promise<boolean>
/** Builds dist/ (and its bundle) unless it is fresh; `root` defaults to this repository, `bundle` to BUNDLE_ENTRIES. */
export declare function buildDist(options?: {
  root?: string
  force?: boolean
  bundle?: BundleEntries
}): Promise<BuildResult>
