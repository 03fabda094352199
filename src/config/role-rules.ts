/**
 * What the node does must suit the chain it joins: a validator needs a
 * proof-of-stake chain (its BFT rounds), and mining a proof-of-work one (a PoS
 * block has no seal to search for); a light node follows either engine
 * (proof-of-work headers by their work, proof-of-stake ones by their commits)
 * and does not mine. Checked once the genesis is read, since
 * the file says which engine the chain runs.
 */
import type { Genesis } from '../ledger/genesis.js'
import { type ConfigIssue, type ConfigSource, invalidValue } from './errors.js'
import { type ConfigValues, configKey } from './schema.js'

/** Every role or mining setting the chain's engine does not allow; empty when they fit. */
export function roleIssues(
  values: ConfigValues,
  sources: Readonly<Record<string, ConfigSource>>,
  genesis: Genesis,
): ConfigIssue[] {
  const engine = genesis.params.engine
  const issue = (path: string, value: unknown, detail: string): ConfigIssue =>
    invalidValue(path, value, configKey(path)?.allowed ?? path, sources[path] ?? 'default', detail)
  const issues: ConfigIssue[] = []
  const { role } = values.node
  if (engine === 'pow' && role === 'validator') {
    issues.push(issue('node.role', role, 'a validator needs a proof-of-stake genesis; this chain is proof of work'))
  }
  if (engine === 'pos' && role === 'miner') {
    issues.push(issue('node.role', role, 'a proof-of-stake chain is not mined: use "validator" or "full"'))
  }
  if (role === 'light' && values.mining.enabled) {
    issues.push(issue('mining.enabled', true, 'a light node does not mine (it keeps headers only)'))
  }
  if (engine === 'pos' && values.mining.enabled) {
    issues.push(issue('mining.enabled', true, 'a proof-of-stake chain is not mined'))
  }
  return issues
}
