/** The two kinds of vote of a BFT round, and their numbers on the wire (bft.proto). */
export type VoteType = 'prevote' | 'precommit'

export const VOTE_TYPES: readonly VoteType[] = ['prevote', 'precommit']

const WIRE: Record<VoteType, number> = { prevote: 1, precommit: 2 }

export function voteTypeToWire(type: VoteType): number {
  return WIRE[type]
}

/** The vote type of a wire number, or undefined for any other number. */
export function voteTypeFromWire(n: number): VoteType | undefined {
  if (n === 1) return 'prevote'
  if (n === 2) return 'precommit'
  return undefined
}
