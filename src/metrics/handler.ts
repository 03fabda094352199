/** GET /metrics: the Prometheus text exposition of one registry. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/**
 * Answers GET (and HEAD) with every metric of `registry`, collected at the
 * time of the request. A metric whose collection throws answers 500 (and is
 * passed to `onError`, for the log) rather than a partial scrape.
 */
export function metricsHandler(registry: Registry, onError?: (err: unknown) => void): MetricsHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      res.end('method not allowed\n')
      return
    }
    let body: string
    try {
      body = await registry.metrics()
    } catch (err) {
      onError?.(err)
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('collecting metrics failed\n')
      return
    }
    res.writeHead(200, {
      'content-type': registry.contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
}
