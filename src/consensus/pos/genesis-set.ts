/**
 * The validators of a proof-of-stake genesis with their voting power: the
 * epoch rules (epoch.ts) applied to the genesis stake table, so the first
 * set is chosen exactly as every later one is. Power is stake in whole coins.
 */
import { COIN, type Genesis } from '../../ledger/genesis.js'
import type { Validator } from '../bft/validators.js'
import { PosEngine } from './engine.js'
import { chooseValidators } from './epoch.js'

/** Stake per unit of voting power. */
export const POWER_REDUCTION = COIN

/** Throws Error for a genesis that is not proof of stake (config resolution refuses that first). */
export function genesisValidators(genesis: Genesis): Validator[] {
  const pos = genesis.pos
  if (genesis.params.engine !== 'pos' || !pos) throw new Error('not a proof-of-stake genesis')
  return chooseValidators(
    pos.validators.map((v) => ({ address: v.address, publicKey: v.publicKey, stake: v.stake, jailed: false })),
    { validatorsMax: pos.validatorsMax, stakeMin: pos.stakeMin, powerReduction: POWER_REDUCTION },
  )
}

/** The proof-of-stake engine of a PoS genesis: its first set, and its stake, epoch and slashing rules. */
export function posEngineOf(genesis: Genesis): PosEngine {
  const pos = genesis.pos
  if (genesis.params.engine !== 'pos' || !pos) throw new Error('not a proof-of-stake genesis')
  return new PosEngine({
    chainId: genesis.chainId,
    validators: genesisValidators(genesis),
    staking: {
      epochLength: pos.epochLength,
      unbondingBlocks: pos.unbondingBlocks,
      slashDoubleSignBps: pos.slashDoubleSignBps,
      selection: { validatorsMax: pos.validatorsMax, stakeMin: pos.stakeMin, powerReduction: POWER_REDUCTION },
    },
  })
}
