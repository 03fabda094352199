/** A failed build: tsc's errors, a missing compiler, or a lock held too long. */
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
/** The hash of everything the build reads (src/, the tsconfig files, package.json, tsc's version). */
export declare function inputFingerprint(root?: string): Promise<string>
/** Whether dist/ was built from the sources as they are now, with every output present. */
export declare function isDistFresh(root?: string): Promise<boolean>
/** Builds dist/ unless it is fresh; `root` defaults to this repository. */
export declare function buildDist(options?: { root?: string; force?: boolean }): Promise<BuildResult>
