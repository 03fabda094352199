/**
 * JSON-RPC 2.0 framing, transport-free: text in, text out. Both the HTTP and
 * the WebSocket side hand it what a client sent and send back what it returns.
 * Batches run in order, one request after another, so a batch of a sender's
 * txs is admitted in nonce order, and stop running once their answers pass
 * `batchResponseBytesMax`. A caller without the API token is refused the
 * guarded methods (method-classes.ts) call by call.
 */
import { RpcCode, RpcError, type RpcErrorObject } from './errors.js'
import { isPrivileged, privilegedRefusal } from './method-classes.js'
import type { MethodTable } from './methods.js'
import type { NodeApi } from './node-api.js'
import { Params } from './params.js'
import type { SubscriptionHost } from './subscriptions.js'

export type RpcId = string | number | null

export type RpcResponse =
  | { jsonrpc: '2.0'; id: RpcId; result: unknown }
  | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject }

export interface DispatcherOptions {
  /** Most requests in one batch. */
  batchMax: number
  /**
   * Bytes of a batch's answers at which the rest of the batch is answered
   * RESPONSE_TOO_LARGE without running (the answer that reaches it is sent:
   * its call has run).
   */
  batchResponseBytesMax: number
  /** Called with every error that is answered as INTERNAL_ERROR (our bug or the node's), for the log. */
  onInternalError?: (err: unknown, method: string) => void
}

const METHOD_CHARS_MAX = 64

/** Who is calling: over a WebSocket its subscriptions; whether it presented the API token. */
export interface Caller {
  authenticated: boolean
  subscriptions?: SubscriptionHost
}

/** A caller with the token (or of a server without one): tests and trusted embedders. */
const TRUSTED: Caller = { authenticated: true }

export function errorResponse(id: RpcId, err: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: err.toJSON() }
}

/** Text of a response that JSON.stringify cannot fail on. */
export function errorText(id: RpcId, err: RpcError): string {
  return JSON.stringify(errorResponse(id, err))
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const isId = (v: unknown): v is RpcId => typeof v === 'string' || typeof v === 'number' || v === null

export class RpcDispatcher {
  constructor(
    private readonly methods: MethodTable,
    private readonly api: NodeApi,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Parses `text` as a request or a batch; undefined when nothing is owed (notifications only). */
  async handleText(text: string, caller: Caller = TRUSTED): Promise<string | undefined> {
    const parsed = parseJson(text)
    if (parsed instanceof RpcError) return errorText(null, parsed)
    return this.handleValue(parsed, caller)
  }

  async handleValue(value: unknown, caller: Caller = TRUSTED): Promise<string | undefined> {
    if (!Array.isArray(value)) {
      const response = await this.handleOne(value, caller)
      return response && this.serialize(response)
    }
    if (value.length === 0) return errorText(null, new RpcError(RpcCode.INVALID_REQUEST, 'empty batch'))
    if (value.length > this.opts.batchMax) {
      return errorText(
        null,
        new RpcError(RpcCode.INVALID_REQUEST, `a batch holds at most ${this.opts.batchMax} requests`, {
          batchMax: this.opts.batchMax,
        }),
      )
    }
    const out: string[] = []
    let bytes = 0
    for (let i = 0; i < value.length; i++) {
      if (bytes >= this.opts.batchResponseBytesMax) {
        // Checked before a call runs, so no call's effect is lost with its answer: the
        // batch overshoots the cap by one answer at most, and the rest is not run.
        const rest = this.refuse(value.slice(i), this.responseTooLarge(i))
        if (rest !== undefined) out.push(rest.slice(1, -1))
        break
      }
      const response = await this.handleOne(value[i], caller)
      if (!response) continue
      const text = this.serialize(response)
      bytes += Buffer.byteLength(text)
      out.push(text)
    }
    return out.length === 0 ? undefined : `[${out.join(',')}]`
  }

  private responseTooLarge(index: number): RpcError {
    const { batchResponseBytesMax } = this.opts
    return new RpcError(
      RpcCode.RESPONSE_TOO_LARGE,
      `response too large: a batch's answers may hold at most ${batchResponseBytesMax} bytes; ` +
        `calls from index ${index} on were not run: send them again in smaller batches`,
      { batchResponseBytesMax, firstNotRun: index },
    )
  }

  /** Answers every request in `value` with `err` without running any (e.g. too many in flight). */
  refuse(value: unknown, err: RpcError): string | undefined {
    const out: string[] = []
    for (const request of Array.isArray(value) ? value : [value]) {
      if (isObject(request) && !Object.hasOwn(request, 'id')) continue // a notification is owed nothing
      out.push(errorText(isObject(request) && isId(request.id) ? request.id : null, err))
    }
    if (out.length === 0) return undefined
    return Array.isArray(value) ? `[${out.join(',')}]` : out[0]
  }

  private async handleOne(request: unknown, caller: Caller): Promise<RpcResponse | undefined> {
    if (!isObject(request)) {
      return errorResponse(null, new RpcError(RpcCode.INVALID_REQUEST, 'a request must be a JSON object'))
    }
    const hasId = Object.hasOwn(request, 'id')
    if (hasId && !isId(request.id)) {
      return errorResponse(null, new RpcError(RpcCode.INVALID_REQUEST, '"id" must be a string, a number or null'))
    }
    const id = hasId ? (request.id as RpcId) : null
    if (request.jsonrpc !== '2.0') {
      return errorResponse(id, new RpcError(RpcCode.INVALID_REQUEST, '"jsonrpc" must be "2.0"'))
    }
    const { method, params } = request
    if (typeof method !== 'string') {
      return errorResponse(id, new RpcError(RpcCode.INVALID_REQUEST, '"method" must be a string'))
    }
    if (params !== undefined && typeof params !== 'object') {
      return errorResponse(id, new RpcError(RpcCode.INVALID_REQUEST, '"params" must be an object or an array'))
    }
    // A request without an id is a notification: it runs, and nothing is answered.
    try {
      const handler = this.methods.get(method)
      if (!handler) {
        const name = method.length > METHOD_CHARS_MAX ? `${method.slice(0, METHOD_CHARS_MAX)}…` : method
        throw new RpcError(RpcCode.METHOD_NOT_FOUND, `method not found: ${JSON.stringify(name)}`)
      }
      if (!caller.authenticated && isPrivileged(method)) throw privilegedRefusal(method)
      const result = await handler(new Params(params), { api: this.api, subscriptions: caller.subscriptions })
      return hasId ? { jsonrpc: '2.0', id, result: result === undefined ? null : result } : undefined
    } catch (err) {
      const rpcError = this.toRpcError(err, method)
      return hasId ? errorResponse(id, rpcError) : undefined
    }
  }

  private toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err
    this.reportInternal(err, method)
    return new RpcError(RpcCode.INTERNAL_ERROR, 'internal error')
  }

  /** A result JSON cannot hold (a bigint, a cycle) is the node's bug: answer it as one. */
  private serialize(response: RpcResponse): string {
    try {
      return JSON.stringify(response)
    } catch (err) {
      this.reportInternal(err, 'serializing a response')
      return errorText(response.id, new RpcError(RpcCode.INTERNAL_ERROR, 'internal error'))
    }
  }

  private reportInternal(err: unknown, method: string): void {
    try {
      this.opts.onInternalError?.(err, method)
    } catch {
      // A failing logger must not turn one bad request into a crash.
    }
  }
}

export function parseJson(text: string): unknown | RpcError {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return new RpcError(RpcCode.PARSE_ERROR, 'parse error: the request is not valid JSON')
  }
}
