/**
 * One prom-client Registry per node. Never the global default registry:
 * tests run several nodes in one process, and each must expose only its own.
 */
import { collectDefaultMetrics, Registry } from 'prom-client'

/**
 * A new registry with the process metrics (`process_*`, `nodejs_*`: CPU,
 * memory, heap, event-loop lag, GC, handles) registered in it.
 *
 * prom-client offers no way to stop what these start (an event-loop delay
 * monitor and a GC observer per registry); both are cheap, and one node per
 * process creates one registry.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}
