/**
 * One signer of a validator key's own txs per node: the validator service's
 * evidence txs and the API's validator_stake / validator_unstake go through
 * the same ValidatorTxSigner (PeerchainNode.validatorTxs), so their sends run
 * in one queue and never race for one nonce.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { NodeApiImpl } from '../../../src/node/node-api.js'
import { ValidatorTxSigner } from '../../../src/node/validator-tx.js'
import { parseScenario } from '../../../src/sim/scenario.js'
import { SimWorld } from '../../../src/sim/world.js'
import { minerAddress } from '../../helpers/chain.js'

let world: SimWorld | undefined

afterEach(async () => {
  await world?.close()
  world = undefined
})

describe('PeerchainNode.validatorTxs', () => {
  it('is the one signer of the evidence txs and the API stakes', async () => {
    world = await SimWorld.create(parseScenario({ consensus: 'pos', seed: 5, nodes: 4, blocks: 1 }))
    const validators = world.nodes.filter((n) => n.node.validator)
    expect(validators.length).toBeGreaterThan(0)
    for (const { node } of validators) expect(node.validatorTxs).toBeInstanceOf(ValidatorTxSigner)
    const { node } = validators[0] as (typeof validators)[number]
    const signer = node.validatorTxs as ValidatorTxSigner
    const send = vi.spyOn(signer, 'send')

    // The service's evidence report goes through it …
    const deps = (node.validator as unknown as { deps: { submitEvidence(payload: Uint8Array): Promise<unknown> } }).deps
    await deps.submitEvidence(new Uint8Array([1, 2, 3])).catch(() => undefined)
    // … and so does the API's stake, given the node's signer.
    const api = new NodeApiImpl({
      chain: node.ledger.chain,
      mempool: node.ledger.mempool,
      network: node.network,
      miner: node.miner,
      mineBlock: async () => null,
      wallet: undefined as never,
      submitTx: (tx) => node.submitTx(tx),
      syncStatus: () => node.syncStatus(),
      role: 'validator',
      mineThreads: 1,
      minerAddress: minerAddress(),
      validator: {
        address: signer.address,
        signer,
        service: node.validator as NonNullable<typeof node.validator>,
      },
    })
    await api.validatorBond({ kind: 'stake', amount: 5n, fee: 1000n }).catch(() => undefined)
    expect(send.mock.calls.map(([request]) => request.kind)).toEqual(['evidence', 'stake'])
    // The service's key is the signer's.
    const key = (node.validator as unknown as { deps: { key: { publicKey: Uint8Array } } }).deps.key
    expect(signer.address).toEqual(addressFromPublicKey(key.publicKey))
  })
})
