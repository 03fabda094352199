/**
 * The commented default config file that `peerchain init` writes. It is generated
 * from the schema's defaults and key documentation, so it cannot drift from them:
 * every key is commented out showing its default, with what it does and what is allowed.
 */
import { stringify } from 'smol-toml'
import { CONFIG_KEYS, type ConfigKey, SECTION_NAMES, type SectionName } from './schema.js'

const SECTION_TITLES: Record<SectionName, string> = {
  node: 'The node',
  net: 'Peer-to-peer network (libp2p)',
  rpc: 'JSON-RPC API (HTTP and WebSocket on one port)',
  mining: 'Mining (proof of work)',
  chain: 'The chain',
  dandelion: 'Dandelion++ tx privacy (docs/PROTOCOL.md)',
}

const HEADER = [
  'peerchain node configuration (TOML), written by `peerchain init`.',
  '',
  'Every key is commented out and shows its default: uncomment a line to change it.',
  'Precedence, lowest first: the defaults, this file, the environment',
  '(PEERCHAIN_<SECTION>_<KEY>, e.g. PEERCHAIN_RPC_PORT=9000), then the flags of `peerchain start`.',
  'A key that is not listed here is refused, and so is a value that is not allowed: the node does not start.',
]

const COMMENT_WIDTH = 100

/** A TOML assignment of `value` to `name`, e.g. `listen = [ "/ip4/0.0.0.0/tcp/9333" ]`. */
export const tomlAssignment = (name: string, value: unknown): string => stringify({ [name]: value }).trim()

export function renderDefaultConfig(): string {
  const lines = HEADER.map((line) => (line === '' ? '#' : `# ${line}`))
  for (const section of SECTION_NAMES) {
    lines.push('', `# ${SECTION_TITLES[section]}`, `[${section}]`)
    for (const key of CONFIG_KEYS.filter((k) => k.section === section)) lines.push('', ...renderKey(key))
  }
  return `${lines.join('\n')}\n`
}

function renderKey(key: ConfigKey): string[] {
  const about = [key.doc, `Allowed: ${key.allowed}.`, `Env: ${key.env}. Flag: ${key.flag}.`]
  const lines = about.flatMap((text) => wrap(text, COMMENT_WIDTH - 2)).map((line) => `# ${line}`)
  if (key.defaultValue === undefined) {
    // Indented, so uncommenting every `# key = default` line still gives the defaults.
    lines.push('# Unset by default. For example:', `#   ${tomlAssignment(key.name, key.example ?? '')}`)
  } else {
    lines.push(`# ${tomlAssignment(key.name, key.defaultValue)}`)
  }
  return lines
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}
