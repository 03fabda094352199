/** The gossip models of the simulated network and their parameters (names after gossipsub's where they match). */

export type GossipModel = 'gossipsub' | 'flood'

export interface GossipParams {
  /** D: the mesh degree a node aims for. */
  meshDegree: number
  /** Dlo: below this a node grafts whoever it can. */
  meshDegreeMin: number
  /** Dhi: a node never grafts beyond this. */
  meshDegreeMax: number
  /** Dlazy: non-mesh peers each heartbeat's IHAVE goes to. */
  lazyDegree: number
  heartbeatMs: number
  /** Message ids at most in one IHAVE (the most recent are kept). */
  ihaveIdsMax: number
  seenTtlMs: number
  seenMax: number
  /** Accepted messages are kept this long to answer IWANT. */
  messageCacheMs: number
  messageCacheMax: number
  /** An id asked for (IWANT) is not asked for again before this. */
  iwantFollowupMs: number
  /** Gossip score a sender loses per rejected message. */
  rejectPenalty: number
  /** Validations running at once, at most; beyond it new messages are ignored (like net/gossip.ts). */
  validationsInFlightMax: number
}

export const GOSSIP_DEFAULTS: GossipParams = {
  meshDegree: 6,
  meshDegreeMin: 4,
  meshDegreeMax: 12,
  lazyDegree: 6,
  heartbeatMs: 1000,
  ihaveIdsMax: 5000,
  seenTtlMs: 120_000,
  seenMax: 20_000,
  messageCacheMs: 5000,
  messageCacheMax: 5000,
  iwantFollowupMs: 3000,
  rejectPenalty: 10,
  validationsInFlightMax: 1024,
}
