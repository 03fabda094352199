/**
 * JSON-RPC error codes and the one error class both sides use. The server
 * answers with `RpcError`s; a `NodeApi` implementation may throw one to pass
 * a specific error through verbatim (e.g. `NETWORK_ERROR` when a dial fails).
 * Anything else it throws becomes `INTERNAL_ERROR`, with no detail leaked.
 */

export const RpcCode = {
  // JSON-RPC 2.0
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  // server-defined (-32000 to -32099)
  REQUEST_TOO_LARGE: -32001,
  WEBSOCKET_REQUIRED: -32002,
  TOO_MANY_SUBSCRIPTIONS: -32003,
  TOO_MANY_REQUESTS: -32004,
  UNAUTHORIZED: -32005,
  FORBIDDEN: -32006,
  /** The client's request rate is spent (per remote address); HTTP 429 with Retry-After. */
  RATE_LIMITED: -32007,
  /** A batch's answers passed the byte cap: this call and the rest of the batch were not run. */
  RESPONSE_TOO_LARGE: -32008,
  TX_REJECTED: -32010,
  NETWORK_ERROR: -32020,
  UNAVAILABLE: -32030,
  WALLET_ERROR: -32040,
  /** The file store refused: `data.code` is the FilesError code (BAD_CID, UNKNOWN_CODEC, DAG_TOO_DEEP, DISK_FULL…). */
  FILES_ERROR: -32050,
} as const

export type RpcCodeName = keyof typeof RpcCode

export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

export class RpcError extends Error {
  override readonly name = 'RpcError'

  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }

  toJSON(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }
}

/** What `-32602` carries: the parameter at fault and what it must be. */
export interface InvalidParamsData {
  param: string
  expected: string
}

export function invalidParams(
  param: string,
  expected: string,
  fault: { got: unknown; detail?: string } | 'missing',
): RpcError {
  const data: InvalidParamsData = { param, expected }
  const message =
    fault === 'missing'
      ? `"${param}" is required: ${expected}`
      : `"${param}" must be ${expected}${fault.detail ? `: ${fault.detail}` : `, got ${preview(fault.got)}`}`
  return new RpcError(RpcCode.INVALID_PARAMS, `invalid params: ${message}`, data)
}

/** A short, single-line rendering of a client's value for an error message. */
export function preview(value: unknown, charsMax = 48): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > charsMax ? `${text.slice(0, charsMax)}…` : text
}
