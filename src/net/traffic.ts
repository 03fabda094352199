/**
 * libp2p's metrics, exported to a prom-client registry, and our own running
 * totals of the bytes every connection moves.
 *
 * libp2p hands each raw connection to `metrics.trackMultiaddrConnection`
 * before its upgrade; @libp2p/prometheus-metrics counts its bytes there but
 * keeps them only inside the registry. We count the same bytes beside it, so
 * the rest of the node can read the totals (`Network.traffic()`) without
 * knowing libp2p's metric names.
 */
import type { Metrics, MultiaddrConnection, StreamMessageEvent } from '@libp2p/interface'
import { type PrometheusMetricsComponents, prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { Registry } from 'prom-client'
import type { NetworkTraffic } from './network.js'

export class TrafficCounter implements NetworkTraffic {
  bytesIn = 0
  bytesOut = 0

  /** Counts what the connection receives (its `message` events) and sends (its `send` calls). */
  track(conn: MultiaddrConnection): void {
    // Wrapping dispatchEvent instead of adding a `message` listener: a listener
    // would make the stream start delivering before the upgrader reads it.
    const dispatchEvent = conn.dispatchEvent.bind(conn)
    conn.dispatchEvent = (evt: Event): boolean => {
      if (evt.type === 'message') this.bytesIn += (evt as StreamMessageEvent).data.byteLength
      return dispatchEvent(evt)
    }
    const send = conn.send.bind(conn)
    conn.send = (data) => {
      const accepted = send(data)
      // send() throws on a closed stream; data it returned from (true or false) is queued
      this.bytesOut += data.byteLength
      return accepted
    }
  }
}

/**
 * The `metrics` factory for createLibp2p: @libp2p/prometheus-metrics on our
 * registry, with the byte counter attached to every connection.
 *
 * The process metrics are the registry's own (createMetricsRegistry), so
 * libp2p must not register them again. The plugin keeps one module-level map
 * of metric names, cleared by each new libp2p node (and with it prom-client's
 * global default registry, which peerchain never uses): one node per process
 * gets every libp2p metric in its registry; several in one process (tests)
 * may see a listener's metrics in another node's registry, never an error.
 */
export function libp2pMetrics(
  registry: Registry,
  traffic: TrafficCounter,
): (components: PrometheusMetricsComponents) => Metrics {
  const create = prometheusMetrics({ registry, collectDefaultMetrics: false })
  return (components) => {
    const metrics = create(components)
    const track = metrics.trackMultiaddrConnection.bind(metrics)
    metrics.trackMultiaddrConnection = (conn) => {
      traffic.track(conn)
      track(conn)
    }
    return metrics
  }
}
