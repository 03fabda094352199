/**
 * gossipsub v1.1 peer scoring for our topics (the spec's P1–P7, with
 * @libp2p/gossipsub v17's parameter names). Every scored topic gets the same
 * parameters: a few seconds in the mesh (P1) and first deliveries (P2) earn
 * a little, capped by TOPIC_SCORE_CAP so good behaviour never buys room for
 * a flood; a mesh peer that delivers nothing is docked only gently (P3, P3b),
 * since the block topic is quiet between blocks; invalid messages (P4,
 * rejected by our validators) and broken protocol patterns (P7) cost a lot.
 *
 * P5, the application score, is our PeerScores (scores.ts): 0 for a peer in
 * good standing, down to SCORE_BAN_THRESHOLD (-100), where we discourage and
 * disconnect it (discouraged.ts). Weighted by APP_SCORE_WEIGHT, a peer our
 * relay charges (bad blocks, a stream of txs that fail stateful checks) loses
 * our gossip (IHAVE/IWANT) and then our publishes on the way down. The
 * graylist, at which gossipsub drops every RPC a peer sends unread, lies
 * below what the application score alone reaches: a peer gets there by
 * gossipsub's own evidence (invalid messages, P4; protocol violations, P7),
 * with or without our charges. Were the graylist above the ban threshold, a
 * flooder would be muted but never disconnected: its ignored messages would
 * stop counting.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'

/** The most the topics together add to a score: good behaviour never outweighs more than 5 points of our charges. */
export const TOPIC_SCORE_CAP = 50
/** gossipsub score per point of our application score. */
export const APP_SCORE_WEIGHT = 10

/**
 * Below gossipThreshold a peer gets no IHAVE/IWANT gossip from us; below
 * publishThreshold we do not publish to it; below graylistThreshold we drop
 * every RPC it sends. With APP_SCORE_WEIGHT 10 and a full topic cap the first
 * two are reached at application scores of -25 and -45; the graylist at
 * -1,100 needs gossipsub's own penalties: 11 invalid messages alone (P4), or
 * fewer on top of our charges.
 */
export const GOSSIP_SCORE_THRESHOLDS: PeerScoreThresholds = Object.freeze({
  gossipThreshold: -200,
  publishThreshold: -400,
  graylistThreshold: -1_100,
  // peer exchange only from peers that earned a little
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5,
})

export const TOPIC_SCORE_PARAMS: TopicScoreParams = Object.freeze({
  topicWeight: 1,
  // P1: +0.1 per second in the mesh, up to +30
  timeInMeshWeight: 0.1,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 300,
  // P2: +1 per first delivery, decaying 10% a second, up to +20
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 20,
  // P3: a mesh peer expected to deliver at least 1 message, after 30 s in the mesh; a deficit of d costs 0.1·d²
  meshMessageDeliveriesWeight: -0.1,
  meshMessageDeliveriesDecay: 0.97,
  meshMessageDeliveriesCap: 10,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 100,
  meshMessageDeliveriesActivation: 30_000,
  // P3b: the P3 deficit a peer was pruned with sticks for a while
  meshFailurePenaltyWeight: -0.1,
  meshFailurePenaltyDecay: 0.97,
  // P4: n invalid messages cost 10·n² (11 reach the graylist), decaying 1% a second
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: 0.99,
})

/** Score parameters for `topics`, with `appScore` as P5. */
export function gossipScoreParams(
  topics: readonly string[],
  appScore: (peer: string) => number,
  localCluster: boolean,
): Partial<PeerScoreParams> {
  return {
    topics: Object.fromEntries(topics.map((topic) => [topic, { ...TOPIC_SCORE_PARAMS }])),
    topicScoreCap: TOPIC_SCORE_CAP,
    appSpecificScore: appScore,
    appSpecificWeight: APP_SCORE_WEIGHT,
    // many peers share 127.0.0.1 on a local cluster; the colocation penalty would graylist them
    ...(localCluster ? { IPColocationFactorWeight: 0 } : {}),
    // P7: past 6 protocol violations (early re-GRAFTs, unanswered IWANTs), 10·(n-6)²
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1_000,
    decayToZero: 0.01,
  }
}
