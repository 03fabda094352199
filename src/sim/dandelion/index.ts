/** The Dandelion++ privacy experiment on the simulator (issue 16): the node's stem relay in a modelled network with spies. */
export {
  compareDandelion,
  type DandelionComparison,
  type DandelionExperimentOptions,
  type ModeResult,
  median,
  type RelayMode,
  runDandelionMode,
} from './experiment.js'
export { FirstSpyEstimator } from './first-spy.js'
export { buildTopology, type Topology } from './topology.js'
