/**
 * The typed client: `RpcClient` calls over HTTP (node:http: a CLI command that
 * makes one call starts ~60 ms sooner than with fetch, which loads undici); `RpcSocket`
 * calls and subscribes over a WebSocket. A JSON-RPC error is thrown as
 * `RpcError` (code, message, data); a failure to reach the server or an answer
 * that is not JSON-RPC is thrown as `RpcTransportError`.
 */
import type { WebSocket } from 'ws'
import { RpcCode, RpcError } from './errors.js'
import type { RpcMethodName, RpcParams, RpcParamsArg, RpcResultOf } from './schema.js'
import type { Topic, TopicResults } from './subscriptions.js'

export { RpcError }

/**
 * The untyped form takes any name, except a known method's name inferred from
 * the call (so wrong params for a known method are an error, not a fallback);
 * `call<T>('chain_head')` with an explicit result type still reaches it.
 */
type UncheckedName<N extends string> = N extends RpcMethodName ? (string extends N ? N : never) : N

export class RpcTransportError extends Error {
  override readonly name = 'RpcTransportError'
}

export interface RpcClientOptions {
  /** Per call (and for opening a WebSocket). Default 30 s. */
  timeoutMs?: number
  /** Largest WebSocket message accepted from the server. Default 16 MiB. */
  wsMessageBytesMax?: number
  /** The node's API token (`<datadir>/rpc.token`), sent as `Authorization: Bearer`; needed when it is bound off loopback. */
  token?: string
}

function authHeaders(options: RpcClientOptions): Record<string, string> {
  return options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }
}

const TIMEOUT_MS_DEFAULT = 30_000
const WS_MESSAGE_BYTES_MAX_DEFAULT = 16 * 1024 * 1024
/** Notifications kept for a subscription whose id the client has not learnt yet. */
const EARLY_NOTIFICATIONS_MAX = 256

interface HttpAnswer {
  status: number
  text: string
}

/**
 * POSTs a JSON body on a connection of its own (no keep-alive: nothing to
 * race the server's idle timeout) and resolves with the answer, whatever its
 * status; rejects when the server cannot be reached or has not answered
 * in full within `timeoutMs`.
 */
async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const target = new URL(url)
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', fail)
        res.on('end', () => {
          clearTimeout(timer)
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
        })
      },
    )
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    function fail(err: Error): void {
      clearTimeout(timer)
      req.destroy()
      reject(err)
    }
    req.on('error', fail)
    req.end(body)
  })
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function requestText(id: number, method: string, params: RpcParams | undefined): string {
  return JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params })
}

/** The result of a response, or the RpcError it carries. */
function unwrap(response: unknown, id: number, what: string): unknown {
  if (!isObject(response) || response.jsonrpc !== '2.0') {
    throw new RpcTransportError(`${what}: the answer is not a JSON-RPC 2.0 response`)
  }
  if (isObject(response.error)) {
    const { code, message, data } = response.error
    throw new RpcError(
      typeof code === 'number' ? code : RpcCode.INTERNAL_ERROR,
      typeof message === 'string' ? message : 'error without a message',
      data,
    )
  }
  if (response.id !== id || !Object.hasOwn(response, 'result')) {
    throw new RpcTransportError(`${what}: the answer does not match request ${id}`)
  }
  return response.result
}

export class RpcClient {
  private nextId = 1
  private readonly timeoutMs: number

  constructor(
    /** The server's HTTP URL, e.g. http://127.0.0.1:8645/ */
    readonly url: string,
    private readonly options: RpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? TIMEOUT_MS_DEFAULT
  }

  call<M extends RpcMethodName>(method: M, ...params: RpcParamsArg<M>): Promise<RpcResultOf<M>>
  call<T = unknown, N extends string = string>(method: UncheckedName<N>, params?: RpcParams): Promise<T>
  async call(method: string, params?: RpcParams): Promise<unknown> {
    const id = this.nextId++
    const what = `${method} at ${this.url}`
    let answer: HttpAnswer
    try {
      answer = await post(this.url, requestText(id, method, params), authHeaders(this.options), this.timeoutMs)
    } catch (err) {
      throw new RpcTransportError(`${what}: ${(err as Error).message}`, { cause: err })
    }
    const { status, text } = answer
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new RpcTransportError(`${what}: HTTP ${status} with a body that is not JSON`)
    }
    return unwrap(parsed, id, what)
  }

  /** Opens a WebSocket to the same server, for subscriptions. */
  socket(): Promise<RpcSocket> {
    const url = new URL(this.url)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    return RpcSocket.connect(url.toString(), this.options)
  }
}

export interface Subscription {
  readonly id: string
  /** Resolves true if the server still held the subscription. */
  unsubscribe(): Promise<boolean>
}

interface PendingCall {
  resolve: (result: unknown) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class RpcSocket {
  private nextId = 1
  private readonly pending = new Map<number, PendingCall>()
  private readonly listeners = new Map<string, (result: unknown) => void>()
  private readonly early = new Map<string, unknown[]>()
  private earlyCount = 0
  /** `subscribe` calls awaiting their answer: only then can a notification arrive before its id is known. */
  private subscribing = 0
  private readonly closed: Promise<void>

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
    private readonly timeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()))
    ws.on('error', () => undefined) // 'close' follows and fails what is pending
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString())
    })
    ws.on('close', () => this.onClose())
  }

  static async connect(url: string, options: RpcClientOptions = {}): Promise<RpcSocket> {
    const timeoutMs = options.timeoutMs ?? TIMEOUT_MS_DEFAULT
    // Loaded here: a client that only calls over HTTP (the CLI's read commands) never needs it.
    const { WebSocket } = await import('ws')
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        handshakeTimeout: timeoutMs,
        maxPayload: options.wsMessageBytesMax ?? WS_MESSAGE_BYTES_MAX_DEFAULT,
        perMessageDeflate: false,
        headers: authHeaders(options),
      })
      const onError = (err: Error): void => {
        ws.terminate()
        reject(new RpcTransportError(`WebSocket ${url}: ${err.message}`, { cause: err }))
      }
      ws.once('error', onError)
      ws.once('open', () => {
        ws.off('error', onError)
        resolve(new RpcSocket(ws, url, timeoutMs))
      })
    })
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  call<M extends RpcMethodName>(method: M, ...params: RpcParamsArg<M>): Promise<RpcResultOf<M>>
  call<T = unknown, N extends string = string>(method: UncheckedName<N>, params?: RpcParams): Promise<T>
  call(method: string, params?: RpcParams): Promise<unknown> {
    if (!this.isOpen) return Promise.reject(new RpcTransportError(`WebSocket ${this.url} is not open`))
    const id = this.nextId++
    const what = `${method} on ${this.url}`
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new RpcTransportError(`${what}: no answer within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      this.pending.set(id, {
        timer,
        reject,
        resolve: (response) => {
          try {
            resolve(unwrap(response, id, what))
          } catch (err) {
            reject(err as Error)
          }
        },
      })
      this.ws.send(requestText(id, method, params))
    })
  }

  /** Subscribes to `topic`; `listener` gets each notification's result. */
  async subscribe<T extends Topic>(topic: T, listener: (result: TopicResults[T]) => void): Promise<Subscription> {
    let id: string | undefined
    let early: unknown[]
    this.subscribing++
    try {
      id = await this.call('subscribe', { topic })
    } finally {
      this.subscribing--
      early = this.takeEarly(id)
    }
    const subscription = id
    const deliver = listener as (result: unknown) => void
    this.listeners.set(subscription, deliver)
    for (const result of early) deliver(result)
    return {
      id: subscription,
      unsubscribe: async () => {
        this.listeners.delete(subscription)
        return this.call('unsubscribe', { subscription })
      },
    }
  }

  /** Closes the socket; the server releases its subscriptions. */
  async close(): Promise<void> {
    if (this.ws.readyState === this.ws.CLOSED) return
    this.ws.close(1000)
    await this.closed
  }

  private onMessage(text: string): void {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      return
    }
    if (!isObject(message)) return
    if (message.method === 'subscription' && isObject(message.params)) {
      const { subscription, result } = message.params
      if (typeof subscription !== 'string') return
      const listener = this.listeners.get(subscription)
      if (listener) {
        listener(result)
        return
      }
      // The notification can overtake the answer to `subscribe`: keep it (bounded) until the id is known.
      if (this.subscribing === 0 || this.earlyCount >= EARLY_NOTIFICATIONS_MAX) return
      const queue = this.early.get(subscription) ?? []
      queue.push(result)
      this.early.set(subscription, queue)
      this.earlyCount++
      return
    }
    const id = message.id
    const call = typeof id === 'number' ? this.pending.get(id) : undefined
    if (!call) return
    this.pending.delete(id as number)
    clearTimeout(call.timer)
    call.resolve(message)
  }

  private takeEarly(id: string | undefined): unknown[] {
    const early = (id !== undefined && this.early.get(id)) || []
    if (id !== undefined) this.early.delete(id)
    this.earlyCount -= early.length
    if (this.subscribing === 0) {
      this.early.clear()
      this.earlyCount = 0
    }
    return early
  }

  private onClose(): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer)
      call.reject(new RpcTransportError(`WebSocket ${this.url} closed`))
    }
    this.pending.clear()
    this.listeners.clear()
    this.early.clear()
    this.earlyCount = 0
  }
}
