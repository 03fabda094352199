/**
 * The V8 flags a node process runs with. Each is passed where a node starts:
 * `bin/peerchain.js`'s shebang (an installed `peerchain` command), the lab's
 * and devnet's spawner (lab/node-process.ts), and `npm run bench` (whose
 * import figures stand for a node's). They must be given at process start:
 * V8 sizes its heap when the process starts, so `v8.setFlagsFromString`
 * later changes nothing.
 *
 * `--max-semi-space-size=32` (MiB; Node's default is 16): importing a block
 * allocates ~15 KB per tx, most of it dead within the block, and a few MB per
 * block lives on in the trie and account caches. With the default young
 * generation a 1,000-tx block costs ~1.3 scavenges of ~14 ms each, most of it
 * copying what survives; with 32 MiB about a third as many run, and the import
 * spends ~10 µs less per tx on the main thread (bench/chain.ts). The space
 * grows only under allocation, so an idle node's footprint does not change.
 * Node's docs and Lodestar (ChainSafe/lodestar#2115) tune the same flag.
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-semi-space-size=32']
