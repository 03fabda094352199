/** Starts an RPC server on 127.0.0.1, port 0, over a FakeNode; everything started is closed after each test. */
import { afterEach, expect } from 'vitest'
import { RpcClient } from '../../../src/api/client.js'
import { RpcError } from '../../../src/api/errors.js'
import { RpcServer, type RpcServerOptions } from '../../../src/api/server.js'
import { FakeNode } from './fake-node.js'

export interface Harness {
  node: FakeNode
  server: RpcServer
  client: RpcClient
  /** What onInternalError received. */
  internalErrors: unknown[]
}

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn)
}

export async function startApi(options: RpcServerOptions = {}): Promise<Harness> {
  const node = await FakeNode.open()
  onCleanup(() => node.close())
  const internalErrors: unknown[] = []
  const server = new RpcServer(node, {
    port: 0,
    onInternalError: (err) => internalErrors.push(err),
    ...options,
  })
  await server.start()
  onCleanup(() => server.close())
  return { node, server, client: new RpcClient(server.url), internalErrors }
}

export interface RawResponse {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: a test reads arbitrary JSON answers
  json: any
}

/** POSTs `body` as is, so tests can send what RpcClient never would. */
export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** The RpcError `promise` rejects with. */
export async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(RpcError)
  return err as RpcError
}

/** The -32602 answer of `promise`, checked to name `param`. */
export async function invalidParam(promise: Promise<unknown>, param: string): Promise<RpcError> {
  const err = await rpcError(promise)
  expect(err.code).toBe(-32602)
  expect(err.message).toContain(`"${param}"`)
  expect(err.data).toMatchObject({ param })
  return err
}
