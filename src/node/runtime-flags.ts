/**
 * The V8 flags a node process runs with. Each is passed where a node starts:
 * `bin/peerchain.js`'s shebang (an installed `peerchain` command), the lab's
 * and devnet's spawner (lab/node-process.ts), and `npm run bench` (whose
 * import figures stand for a node's). They must be given at process start:
 * V8 sizes its heap when the process starts, so `v8.setFlagsFromString`
 * later changes nothing.
 *
 * `--max-semi-space-size=64` (MiB; Node's default is 16): importing a block
 * allocates ~15 KB per tx, most of it dead within the block, but a few MB
 * per block lives on in the trie and account caches, and a scavenge's cost is
 * copying what survives. With the default a 30-block burst of 1,000-tx blocks
 * ran ~39 scavenges (~550 ms of main-thread pause); with 32 MiB ~18 (~350 ms),
 * with 64 MiB ~9 (~260 ms), measured in one run each (bench/chain.ts's import).
 * The space grows only under allocation, so an idle node's footprint does not
 * change (bench/footprint.ts); a node importing at full speed may hold up to
 * 3 × 64 MiB of young objects. Node's docs suggest tuning this flag by
 * benchmark, and 64 MiB is where nodejs/performance#67 found the gain to stop;
 * Lodestar tunes it too (ChainSafe/lodestar#2115).
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-semi-space-size=64']
