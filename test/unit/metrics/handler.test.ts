import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Gauge, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsRegistry, metricsHandler, NodeMetrics } from '../../../src/metrics/index.js'
import { parseExposition } from './exposition.js'

const servers: Server[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

async function serve(handler: ReturnType<typeof metricsHandler>): Promise<string> {
  const server = createServer((req, res) => void handler(req, res))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
}

describe('metricsHandler', () => {
  it('answers GET with the text exposition and the registry content type', async () => {
    const metrics = new NodeMetrics(createMetricsRegistry())
    metrics.blockImported('mined')
    const url = await serve(metricsHandler(metrics.registry))
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const families = parseExposition(await res.text())
    expect(families.get('peerchain_blocks_imported_total')?.samples).toContainEqual({
      name: 'peerchain_blocks_imported_total',
      labels: { source: 'mined' },
      value: 1,
    })
    expect(families.get('process_cpu_user_seconds_total')).toBeDefined()
  })

  it('answers HEAD without a body, and refuses other methods with 405', async () => {
    const url = await serve(metricsHandler(new NodeMetrics(new Registry()).registry))
    const head = await fetch(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const post = await fetch(url, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers 500 and reports the error when a metric cannot be collected', async () => {
    const registry = new Registry()
    new Gauge({
      name: 'broken',
      help: 'throws when collected',
      registers: [registry],
      collect() {
        throw new Error('source gone')
      },
    })
    const errors: unknown[] = []
    const url = await serve(metricsHandler(registry, (err) => errors.push(err)))
    const res = await fetch(url)
    expect(res.status).toBe(500)
    expect(await res.text()).not.toContain('source gone')
    expect(String(errors[0])).toContain('source gone')
  })
})
