/**
 * What the page shows of proof-of-stake finality and of the node's validator.
 * Pure, like format.ts: the cards only lay these out, and tests check them
 * without a DOM.
 */
import type { HeadJson, PosValidatorsJson, ValidatorJson } from '../../src/api/json.js'
import { formatCoins } from './format.js'

/** The last final block, or undefined under proof of work (which has no finality). */
export function finalizedOf(head: HeadJson): { height: number; hash: string } | undefined {
  if (head.finalizedHeight === null || head.finalizedHash === null) return undefined
  return { height: head.finalizedHeight, hash: head.finalizedHash }
}

/** "1 double sign", "3 double signs". */
export function formatEvidence(count: number): string {
  return `${count.toLocaleString('en-US')} double ${count === 1 ? 'sign' : 'signs'}`
}

export interface ValidatorRow {
  label: string
  value: string
  testid: string
}

/** The validator card's rows: the height being decided, its round and step, and the double signs seen. */
export function validatorRows(validator: ValidatorJson): ValidatorRow[] {
  return [
    { label: 'height', value: `#${validator.height}`, testid: 'validator-height' },
    { label: 'round', value: String(validator.round), testid: 'validator-round' },
    { label: 'step', value: validator.step, testid: 'validator-step' },
    { label: 'evidence seen', value: formatEvidence(validator.evidenceSeen), testid: 'validator-evidence' },
  ]
}

/** Head height minus the finalized height (0 under BFT finality); undefined under proof of work. */
export function finalityLagOf(head: HeadJson): number | undefined {
  return head.finalizedHeight === null ? undefined : head.height - head.finalizedHeight
}

export interface SetRow {
  address: string
  power: string
  /** In coins. */
  stake: string
  /** "no", "yes" or "tombstoned". */
  jailed: string
  /** "3 / 1,000": missed of the window. */
  missed: string
  missedCount: number
  proposer: boolean
}

/** The validator-set card's rows, in the set's order. */
export function validatorSetRows(set: PosValidatorsJson): SetRow[] {
  const window = set.missedWindow.toLocaleString('en-US')
  return set.validators.map((v) => ({
    address: v.address,
    power: BigInt(v.power).toLocaleString('en-US'),
    stake: formatCoins(v.stake),
    jailed: v.tombstoned ? 'tombstoned' : v.jailed ? 'yes' : 'no',
    missed: `${v.missed.toLocaleString('en-US')} / ${window}`,
    missedCount: v.missed,
    proposer: v.proposer,
  }))
}
