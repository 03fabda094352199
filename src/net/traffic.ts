/**
 * libp2p's metrics, exported to a prom-client registry, and our own running
 * totals of the bytes every connection moves.
 *
 * libp2p hands each raw connection to `metrics.trackMultiaddrConnection`
 * before its upgrade; @libp2p/prometheus-metrics counts its bytes there but
 * keeps them only inside the registry. We count the same bytes beside it, so
 * the rest of the node can read the totals (`Network.traffic()`) without
 * knowing libp2p's metric names; and, per protocol id, the payload of every
 * stream libp2p hands to `metrics.trackProtocolStream` after negotiating it
 * (`NetworkTaps.protocolTraffic()`, for the trace).
 */
import type { Metrics, MultiaddrConnection, Stream, StreamMessageEvent } from '@libp2p/interface'
import { type PrometheusMetricsComponents, prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { Registry } from 'prom-client'
import type { NetworkTraffic, ProtocolTraffic } from './network.js'

/** Distinct protocol ids counted at most; streams of others count under `other` (a peer cannot grow the table). */
export const PROTOCOLS_COUNTED_MAX = 64

export class TrafficCounter implements NetworkTraffic {
  bytesIn = 0
  bytesOut = 0
  private readonly byProtocol = new Map<string, { in: number; out: number }>()

  /** Per protocol id: payload bytes of every stream libp2p negotiated (`metrics.trackProtocolStream`). */
  protocols(): ProtocolTraffic {
    const out: ProtocolTraffic = {}
    for (const [protocol, totals] of this.byProtocol) out[protocol] = { in: totals.in, out: totals.out }
    return out
  }

  /** Counts a negotiated stream's bytes under its protocol id. */
  trackStream(stream: Pick<Stream, 'protocol' | 'dispatchEvent' | 'send'>): void {
    const protocol = stream.protocol
    if (!protocol) return
    const totals = this.protocolTotals(protocol)
    const dispatchEvent = stream.dispatchEvent.bind(stream)
    stream.dispatchEvent = (evt: Event): boolean => {
      if (evt.type === 'message') totals.in += (evt as StreamMessageEvent).data.byteLength
      return dispatchEvent(evt)
    }
    const send = stream.send.bind(stream)
    stream.send = (data) => {
      const accepted = send(data)
      totals.out += data.byteLength
      return accepted
    }
  }

  private protocolTotals(protocol: string): { in: number; out: number } {
    const known = this.byProtocol.get(protocol)
    if (known !== undefined) return known
    const key = this.byProtocol.size < PROTOCOLS_COUNTED_MAX ? protocol : 'other'
    const totals = this.byProtocol.get(key) ?? { in: 0, out: 0 }
    this.byProtocol.set(key, totals)
    return totals
  }

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
    const trackStream = metrics.trackProtocolStream.bind(metrics)
    metrics.trackProtocolStream = (stream) => {
      traffic.trackStream(stream)
      trackStream(stream)
    }
    return metrics
  }
}
