/**
 * `npm run bench`: every benchmark in turn, one JSON object per line on stdout.
 * `npm run bench -- chain` runs only the named ones (verify, decode, chain, mempool, network, requests, sim, footprint, flood, eclipse, lab…).
 * `network` starts real node processes and `sim` runs 1,000 simulated nodes: each takes minutes.
 * `footprint` (idle RSS, cold start, `peerchain status` time of real node processes) takes about a minute.
 * `npm run bench` builds dist/ first (`prebench`): the node processes run it.
 */
import '../src/util/shims.js'

const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  verify: () => import('./verify.js'),
  decode: () => import('./decode.js'),
  chain: () => import('./chain.js'),
  mempool: () => import('./mempool.js'),
  network: () => import('./network.js'),
  sim: () => import('./sim.js'),
  pos: () => import('./pos.js'),
  footprint: () => import('./footprint.js'),
  flood: () => import('./flood.js'),
  eclipse: () => import('./eclipse.js'),
  trace: () => import('./trace.js'),
  lab: () => import('./lab.js'),
  light: () => import('./light.js'),
  relay: () => import('./relay.js'),
  files: () => import('./files.js'),
  requests: () => import('./requests.js'),
  'relay-compact': () => import('./relay-compact.js'),
  'relay-dandelion': () => import('./relay-dandelion.js'),
}

// `chain` prints the footprint figures too, so a plain `npm run bench` leaves `footprint` out;
// `lab` runs real 50-node scenarios for about half an hour, so it runs only when named.
const everything = Object.keys(suites).filter(
  (name) => !['footprint', 'lab', 'light', 'relay', 'relay-compact'].includes(name),
)
// `--flag value` pairs (eclipse's --runs N) are for the benchmarks themselves
const wanted = process.argv
  .slice(2)
  .filter((a, i, all) => a !== '--' && !/^--./.test(a) && !/^--./.test(all[i - 1] ?? ''))
for (const name of wanted.length > 0 ? wanted : everything) {
  const load = suites[name]
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(suites).join(', ')}`)
    process.exit(2)
  }
  await (await load()).run()
}
