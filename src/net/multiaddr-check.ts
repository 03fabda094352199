/**
 * Multiaddr checks for the config, so a mistyped address stops the node at
 * start with the key named, rather than as a libp2p error later. Here because
 * only net/ uses libp2p's packages. Parsing only: nothing is dialed.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { isPeerId } from './peer-ids.js'

/** Undefined when `text` is a multiaddr, otherwise why it is not. */
export function multiaddrProblem(text: string): string | undefined {
  try {
    // The parser takes "" and "/" for an empty address; nothing could listen on or dial that.
    if (multiaddr(text).getComponents().length === 0) return 'it is empty'
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** Undefined when `text` is a multiaddr ending in /p2p/<peer id>, otherwise why it is not. */
export function bootstrapProblem(text: string): string | undefined {
  const problem = multiaddrProblem(text)
  if (problem !== undefined) return problem
  const match = /\/p2p\/([^/]+)$/.exec(text)
  if (!match) return 'it does not end in /p2p/<peer id>'
  if (!isPeerId(match[1] as string)) return `"${match[1]}" is not a peer id`
  return undefined
}
