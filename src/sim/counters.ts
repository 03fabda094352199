/** Running totals of one fabric (SimFabric.stats), for a simulation's report. Message counts are per link transmission. */
export interface SimStats {
  /** Full gossip messages put on a link (publish, relay, IWANT answers). */
  gossipSent: number
  /** Gossip messages that reached a subscribed node which had not seen them. */
  gossipDelivered: number
  /** Gossip messages that reached a node which had already seen them. */
  gossipDuplicates: number
  /** Gossip messages dropped on arrival: topic not subscribed, sender graylisted, too many validations. */
  gossipIgnored: number
  /** Validator verdicts of 'reject'. */
  gossipRejected: number
  ihaveSent: number
  iwantSent: number
  /** Mesh links formed (each counted once, for both ends). */
  grafts: number
  requestsSent: number
  /** Responses and failure answers (reset, unknown protocol). */
  responsesSent: number
  /** Packets of every kind that never arrived: `lost` + `cut` + `closed`. */
  dropped: number
  /** Gossip messages lost at random (link loss probability). */
  lost: number
  /** Packets dropped by a partition (at sending or in flight). */
  cut: number
  /** Packets whose connection closed (or whose receiver stopped) before they arrived. */
  closed: number
  /** Bytes put on links, framing included (lost ones too). */
  bytesSent: number
  /** Bytes that arrived. */
  bytesDelivered: number
  /** Event listeners and onMessage callbacks that threw (logged, like the libp2p network does). */
  callbackErrors: number
}

export function emptyStats(): SimStats {
  return {
    gossipSent: 0,
    gossipDelivered: 0,
    gossipDuplicates: 0,
    gossipIgnored: 0,
    gossipRejected: 0,
    ihaveSent: 0,
    iwantSent: 0,
    grafts: 0,
    requestsSent: 0,
    responsesSent: 0,
    dropped: 0,
    lost: 0,
    cut: 0,
    closed: 0,
    bytesSent: 0,
    bytesDelivered: 0,
    callbackErrors: 0,
  }
}
