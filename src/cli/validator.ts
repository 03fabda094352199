/**
 * `peerchain validator stake | unstake AMOUNT [--fee F]`: a validator
 * operator bonds more of its balance as stake, or starts unbonding some, over
 * the running validator node's guarded `validator_stake` / `validator_unstake`
 * methods. The node signs with its validator key (`<datadir>/validator.key`),
 * which is its account key too, at its next free nonce. Amounts are in base
 * units, read as `tx send` reads them. The CLI sends the node's API token
 * from `<datadir>/rpc.cookie` by itself (rpc-options.ts).
 */
import type { Command } from 'commander'
import type { ValidatorTxJson } from '../api/json.js'
import { resolveDataDir } from '../config/paths.js'
import { formatCoins } from './format.js'
import { connect, exitOnUsageError, type RpcFlags, rpcOptions, run } from './rpc-options.js'
import { parseBaseUnits } from './wallet.js'

interface BondFlags extends RpcFlags {
  datadir: string
  fee: string
  json?: boolean
}

export type BondKind = 'stake' | 'unstake'

/** The fee when none is given, in base units (as the node's own default). */
export const VALIDATOR_CLI_FEE_DEFAULT = '1000'

/** The RPC params of `validator <kind> AMOUNT --fee F`: u64 decimal strings; AMOUNT at least 1. UsageError otherwise. */
export function bondParams(amountText: string, feeText: string): { amount: string; fee: string } {
  const amount = parseBaseUnits(amountText, 'AMOUNT', { min: 1n })
  const fee = parseBaseUnits(feeText, '--fee')
  return { amount: amount.toString(), fee: fee.toString() }
}

/** Adds `validator stake` and `validator unstake`. */
export function registerValidatorCommands(program: Command): void {
  const validator = program
    .command('validator')
    .description("a validator's stake: bond or unbond it, signed by the running validator node")
  exitOnUsageError(validator)
  bondCommand(
    validator.command('stake').description("bond AMOUNT of the validator's balance as stake (the node signs)"),
    'stake',
  )
  bondCommand(
    validator
      .command('unstake')
      .description("start unbonding AMOUNT of the validator's stake: it returns after the unbonding delay"),
    'unstake',
  )
}

function bondCommand(cmd: Command, kind: BondKind): Command {
  exitOnUsageError(cmd)
  return rpcOptions(
    cmd
      .argument('<amount>', 'amount in base units (an integer, at least 1)')
      .option('--fee <n>', 'fee in base units', VALIDATOR_CLI_FEE_DEFAULT)
      .option('--datadir <dir>', "the node's data directory ($PEERCHAIN_DATADIR or ~/.peerchain)", resolveDataDir())
      .option('--json', 'print JSON'),
  ).action(run((amount: string, flags: BondFlags) => bond(kind, amount, flags)))
}

async function bond(kind: BondKind, amountText: string, flags: BondFlags): Promise<void> {
  const params = bondParams(amountText, flags.fee)
  const client = await connect(flags)
  const sent: ValidatorTxJson = await client.call(kind === 'stake' ? 'validator_stake' : 'validator_unstake', params)
  console.log(flags.json ? JSON.stringify({ ...sent, kind, ...params }) : describeBond(kind, params, sent))
}

/** The human line of a submitted stake or unstake. */
export function describeBond(kind: BondKind, params: { amount: string; fee: string }, sent: ValidatorTxJson): string {
  return `${kind} of ${formatCoins(BigInt(params.amount))} submitted (fee ${formatCoins(BigInt(params.fee))})\ntx ${sent.txId} ${sent.status}`
}
