/** Protocol ids and gossip topics; each carries the chain id, so chains never mix. */
export const txTopic = (chainId: string): string => `/peerchain/${chainId}/tx/1`
export const blockTopic = (chainId: string): string => `/peerchain/${chainId}/block/1`
export const statusProtocol = (chainId: string): string => `/peerchain/${chainId}/status/1`
export const syncProtocol = (chainId: string): string => `/peerchain/${chainId}/sync/1`
/** Light clients: account and tx proofs, headers by range (src/light/). */
export const lightProtocol = (chainId: string): string => `/peerchain/${chainId}/light/1`
/** Proof of stake: signed prevotes and precommits. */
export const voteTopic = (chainId: string): string => `/peerchain/${chainId}/vote/1`
/** Proof of stake: a signed proposal with the block it proposes. */
export const proposalTopic = (chainId: string): string => `/peerchain/${chainId}/proposal/1`
