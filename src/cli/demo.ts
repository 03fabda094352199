/**
 * `npm start` until the networked node lands: a real ledger on LevelDB. Mines
 * devnet blocks in a worker thread, sends transfers through the mempool, and
 * shows balances, nonces and where each tx landed.
 *
 *   npm start                    # temporary data directory, removed at the end
 *   npm start -- --datadir DIR   # keep the chain in DIR (run again to extend it)
 *   npm start -- --blocks N      # mine N blocks (default 3)
 *   npm start -- --genesis FILE  # another genesis file (JSON; see docs/PROTOCOL.md)
 */
import '../util/shims.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { PowEngine } from '../consensus/pow/engine.js'
import { addressFromPublicKey, formatAddress } from '../ledger/address.js'
import { COIN, devnetGenesis, devnetKey } from '../ledger/genesis.js'
import { SignatureVerifier } from '../ledger/sigverify/pool.js'
import { Tx } from '../ledger/tx.js'
import { readGenesisFile } from '../node/genesis-file.js'
import { LedgerNode } from '../node/ledger-node.js'
import { LevelStore } from '../storage/level.js'
import { toHex } from '../util/bytes.js'
import { systemClock } from '../util/clock.js'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'demo'),
  options: { datadir: { type: 'string' }, blocks: { type: 'string', default: '3' }, genesis: { type: 'string' } },
})
const blocks = Number(values.blocks)
if (!Number.isInteger(blocks) || blocks < 1 || blocks > 1000) {
  console.error(`--blocks must be an integer from 1 to 1000, got "${values.blocks}"`)
  process.exit(2)
}

const coins = (units: bigint): string => `${units / COIN}.${(units % COIN).toString().padStart(8, '0')}`
const dir = values.datadir ?? (await mkdtemp(join(tmpdir(), 'peerchain-demo-')))
const genesis = values.genesis ? await readGenesisFile(values.genesis) : devnetGenesis()
const node = await LedgerNode.open(
  {
    store: new LevelStore(join(dir, 'chain')),
    engine: new PowEngine(genesis.params, { mineThreads: 1 }),
    signatures: new SignatureVerifier({}),
    clock: systemClock,
  },
  { genesis },
)

try {
  const { chain } = node
  console.log(`peerchain ledger demo — chain "${genesis.chainId}", data in ${dir}`)
  console.log(`genesis ${chain.genesisBlock.id}`)
  console.log(`head    #${chain.head.height} ${chain.head.id}\n`)

  const alice = devnetKey(0)
  const aliceAddress = addressFromPublicKey(alice.publicKey)
  const friends = [1, 2, 3].map((i) => addressFromPublicKey(devnetKey(i).publicKey))
  const miner = addressFromPublicKey(devnetKey(100).publicKey) // not in the genesis allocation
  let nonce = (await chain.getAccount(aliceAddress)).nonce

  const sent: Tx[] = []
  const send = async (to: Uint8Array, amount: bigint, fee: bigint, n: bigint, note: string): Promise<Tx> => {
    const tx = Tx.create({ chainId: genesis.chainId, recipient: to, amount, fee, nonce: n }, alice)
    const result = await node.submitTx(tx)
    console.log(`tx ${tx.id.slice(0, 16)}… nonce ${n} → ${result.status}${note}`)
    sent.push(tx)
    return tx
  }
  // A future nonce is held until the gap fills; then the gap is filled.
  await send(friends[2] as Uint8Array, 3n * COIN, 1000n, nonce + 2n, ' (nonce gap: held as future)')
  await send(friends[0] as Uint8Array, 1n * COIN, 1000n, nonce, '')
  await send(friends[1] as Uint8Array, 2n * COIN, 1000n, nonce + 1n, ' (fills the gap)')
  nonce += 3n
  const bad = Tx.create(
    { chainId: genesis.chainId, recipient: miner, amount: 1n, fee: 1000n, nonce: nonce - 3n },
    alice,
  )
  await node
    .submitTx(bad)
    .catch((err: Error) =>
      console.log(`a second tx at nonce ${nonce - 3n} without a fee bump is refused: ${err.message}`),
    )
  console.log(`mempool: ${node.mempool.size} pending\n`)

  for (let i = 0; i < blocks; i++) {
    const start = performance.now()
    const block = await node.mineBlock(miner)
    if (!block) continue
    const ms = Math.round(performance.now() - start)
    console.log(
      `mined #${block.height} ${block.id.slice(0, 16)}… ${block.txs.length} tx, ${ms} ms, target 2^${block.header.target.toString(2).length - 1}`,
    )
  }

  console.log('\nbalances at the head:')
  for (const [name, address] of [
    ['alice', aliceAddress],
    ['friend 1', friends[0]],
    ['friend 2', friends[1]],
    ['friend 3', friends[2]],
    ['miner', miner],
  ] as const) {
    const account = await chain.getAccount(address as Uint8Array)
    console.log(
      `  ${name.padEnd(8)} ${formatAddress(address as Uint8Array)}  ${coins(account.balance).padStart(20)}  nonce ${account.nonce}`,
    )
  }
  console.log('\nwhere the transactions landed:')
  for (const tx of sent) {
    const at = await chain.getTxLocation(tx.hash)
    const block = at ? chain.index.get(at.blockId) : undefined
    console.log(
      `  ${tx.id.slice(0, 16)}… ${block ? `block #${block.height} (${toHex(block.header.hash).slice(0, 16)}…)` : 'pending'}`,
    )
  }
  const proof = await chain.proveAccount(aliceAddress)
  console.log(
    `\nalice's balance is provable to a light client: ${proof.length} trie nodes against state root ${toHex(chain.head.header.fields.stateRoot).slice(0, 16)}…`,
  )
} finally {
  await node.close()
  if (!values.datadir) await rm(dir, { recursive: true, force: true })
}
