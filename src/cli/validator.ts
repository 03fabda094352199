/**
 * `peerchain validator stake | unstake AMOUNT [--fee F]`, and the same as
 * `peerchain stake | unstake AMOUNT`: a validator
 * operator bonds more of its balance as stake, or starts unbonding some, over
 * the running validator node's guarded `validator_stake` / `validator_unstake`
 * methods. `peerchain validators` lists a height's validator set
 * (`pos_validators`) on any proof-of-stake node. The node signs with its validator key (`<datadir>/validator.key`),
 * which is its account key too, at its next free nonce. Amounts are in base
 * units, read as `tx send` reads them. The CLI sends the node's API token
 * from `<datadir>/rpc.cookie` by itself (rpc-options.ts).
 */
import type { Command } from 'commander'
import type { PosValidatorsJson, ValidatorTxJson } from '../api/json.js'
import { resolveDataDir } from '../config/paths.js'
import { UsageError } from './errors.js'
import { formatCoins } from './format.js'
import { renderValidators } from './read-render.js'
import { connect, exitOnUsageError, type RpcFlags, rpcOptions, run } from './rpc-options.js'
import { outputWidth } from './table.js'
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

interface ValidatorsFlags extends RpcFlags {
  datadir?: string
  height?: string
  json?: boolean
}

const STAKE_DESCRIPTION = "bond AMOUNT of the validator's balance as stake (the node signs)"
const UNSTAKE_DESCRIPTION = "start unbonding AMOUNT of the validator's stake: it returns after the unbonding delay"

/** `--height N` of `validators`: a whole number ≥ 1 (the node checks it is at most its head + 1). */
export function parseSetHeight(text: string): number {
  const height = Number(text)
  if (!/^[0-9]+$/.test(text) || height < 1 || !Number.isSafeInteger(height)) {
    throw new UsageError(`--height must be a block height of 1 or more, got "${text}"`)
  }
  return height
}

/** Adds `validator stake|unstake`, their top-level names `stake` and `unstake`, and `validators`. */
export function registerValidatorCommands(program: Command): void {
  const validator = program
    .command('validator')
    .description("a validator's stake: bond or unbond it, signed by the running validator node")
  exitOnUsageError(validator)
  bondCommand(validator.command('stake').description(STAKE_DESCRIPTION), 'stake')
  bondCommand(validator.command('unstake').description(UNSTAKE_DESCRIPTION), 'unstake')
  // The same two under the names an operator reaches for first.
  bondCommand(program.command('stake').description(`${STAKE_DESCRIPTION}; as \`validator stake\``), 'stake')
  bondCommand(program.command('unstake').description(`${UNSTAKE_DESCRIPTION}; as \`validator unstake\``), 'unstake')
  const validators = program
    .command('validators')
    .description(
      "a proof-of-stake height's validator set: power, stake, jail, missed votes, and round 0's proposer (*)",
    )
  exitOnUsageError(validators)
  rpcOptions(
    validators
      .option('--height <n>', 'the set of this height (default: the one above the head)')
      .option('--datadir <dir>', "the node's data directory (its API token is read from there)"),
  )
    .option('--json', 'print the RPC result as JSON')
    .action(run(listValidators))
}

async function listValidators(flags: ValidatorsFlags): Promise<void> {
  const params = flags.height === undefined ? undefined : { height: parseSetHeight(flags.height) }
  const result: PosValidatorsJson = await (await connect(flags)).call('pos_validators', params)
  if (flags.json) console.log(JSON.stringify(result))
  else console.log(renderValidators(result, { maxWidth: outputWidth() }))
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
