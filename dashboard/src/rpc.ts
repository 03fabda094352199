/**
 * JSON-RPC over HTTP to the node that served this page (POST / on the same
 * origin), typed by the node's own schema. The API token, if the page was
 * opened with `#token=…`, goes along as a bearer token.
 */
import { RpcCode, RpcError } from '../../src/api/errors.js'
import type { RpcMethodName, RpcParamsArg, RpcResultOf } from '../../src/api/schema.js'

export { RpcError }

/** The node could not be reached, or answered something that is not JSON-RPC. */
export class RpcTransportError extends Error {
  override readonly name = 'RpcTransportError'
}

/** An error for people: a rejected transaction with the node's reason, a missing token with what to do. */
export function errorText(err: unknown): string {
  if (err instanceof RpcError) {
    if (err.code === RpcCode.UNAUTHORIZED) {
      // The node's own message names headers and files; a person at this page needs the link instead.
      return "unauthorized: this needs the node's API token: open the dashboard with the URL `peerchain start` printed (it ends in #token=…)"
    }
    const data = err.data as { reason?: unknown } | undefined
    return typeof data?.reason === 'string' ? `${err.message}: ${data.reason}` : err.message
  }
  return err instanceof Error ? err.message : String(err)
}

/** The token in `#token=…` of the page's address, if any. */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token')
  return token ? token : undefined
}

interface Answer {
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

const TIMEOUT_MS = 15_000

export class NodeRpc {
  private seq = 0

  constructor(
    private readonly url: string,
    private readonly token?: string,
  ) {}

  async call<M extends RpcMethodName>(method: M, ...[params]: RpcParamsArg<M>): Promise<RpcResultOf<M>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    let res: Response
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.seq, method, params: params ?? {} }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (err) {
      throw new RpcTransportError(`the node cannot be reached (${errorText(err)})`)
    }
    let answer: Answer
    try {
      answer = (await res.json()) as Answer
    } catch {
      throw new RpcTransportError(`the node answered HTTP ${res.status} without JSON`)
    }
    if (answer.error) throw new RpcError(answer.error.code, answer.error.message, answer.error.data)
    if (!res.ok || !('result' in answer)) throw new RpcTransportError(`the node answered HTTP ${res.status}`)
    return answer.result as RpcResultOf<M>
  }
}
