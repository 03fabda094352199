/** Fakes for light-protocol tests: a served chain, and a transport that carries bytes to the real handler. */
import { StateTrie } from '../../../src/chain/trie.js'
import type { Block } from '../../../src/ledger/block.js'
import { createLightHandler, type LightHandlerOptions, type LightSend } from '../../../src/light/index.js'
import type { LightServeLimits } from '../../../src/light/limits.js'
import { type PeerIdString, RequestError, type RequestHandler } from '../../../src/net/network.js'
import type { TestChain } from '../../helpers/chain.js'
import { sourceChain } from '../sync/helpers.js'

export interface Served {
  source: TestChain
  blocks: Block[]
  handler: RequestHandler
}

/** A chain of `count` blocks (a transfer from devnet account 0 to 1 in every 10th) served by the real handler. */
export async function servedChain(
  count: number,
  limits: Partial<LightServeLimits> = {},
  opts: LightHandlerOptions = {},
) {
  const { source, blocks } = await sourceChain(count)
  const handler = createLightHandler(source.chain, await StateTrie.open(source.store, 4096), limits, opts)
  return { source, blocks, handler }
}

/**
 * The two ends of a stream, without libp2p: the request's bytes reach the
 * handler as `client`, and anything it throws resets the stream, which the
 * requester sees as RequestError RESET (as src/net/ does). `tamper` stands
 * in for a lying server: it rewrites the honest answer's bytes.
 */
export function streamTo(
  servers: Record<PeerIdString, { handler: RequestHandler; tamper?: (response: Uint8Array) => Uint8Array }>,
  client: PeerIdString = 'light-client',
): LightSend {
  return async (peer, request) => {
    const server = servers[peer]
    if (!server) throw new RequestError('DIAL_FAILED', `no peer ${peer}`)
    let response: Uint8Array
    try {
      response = await server.handler(request.slice(), client)
    } catch (err) {
      throw new RequestError('RESET', `stream reset: ${(err as Error).message}`)
    }
    return server.tamper ? server.tamper(response) : response
  }
}

export interface Report {
  peer: PeerIdString
  penalty: number
  reason: string
}
