/**
 * Where a passphrase comes from, first found wins: --passphrase-file, the
 * PEERCHAIN_PASSPHRASE environment variable, then a prompt without echo when
 * stdin is a terminal. With none of them, it fails at once saying how to give
 * one, rather than waiting on a stdin nobody will type into.
 */
import { readFile } from 'node:fs/promises'
import { WalletError } from './errors.js'

export const PASSPHRASE_ENV = 'PEERCHAIN_PASSPHRASE'

/** The bits of a TTY stream the prompt uses (process.stdin, or a fake in tests). */
export interface PromptInput {
  isTTY?: boolean
  setRawMode?(raw: boolean): unknown
  isRaw?: boolean
  setEncoding(encoding: BufferEncoding): unknown
  on(event: 'data', listener: (chunk: string) => void): unknown
  off(event: 'data', listener: (chunk: string) => void): unknown
  resume(): unknown
  pause(): unknown
}

export interface PassphraseSources {
  /** --passphrase-file: the first line of this file. */
  passphraseFile?: string
  /** Default process.env. */
  env?: Record<string, string | undefined>
  /** Default process.stdin. */
  input?: PromptInput
  /** Where the prompt is written; default process.stderr (stdout may be piped to a parser). */
  output?: { write(text: string): unknown }
  /** Ask twice and compare (a new key: a typo would lock the key away). */
  confirm?: boolean
  /** What the passphrase is for, in the prompt. */
  purpose?: string
}

export const NO_PASSPHRASE_HELP =
  `no passphrase: stdin is not a terminal, so it cannot be asked for. ` +
  `Set the environment variable ${PASSPHRASE_ENV} or pass --passphrase-file <file>`

export async function readPassphrase(sources: PassphraseSources = {}): Promise<string> {
  if (sources.passphraseFile !== undefined) return fromFile(sources.passphraseFile)
  const fromEnv = (sources.env ?? process.env)[PASSPHRASE_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const input = sources.input ?? process.stdin
  if (!input.isTTY || typeof input.setRawMode !== 'function') throw new WalletError('NO_PASSPHRASE', NO_PASSPHRASE_HELP)
  const output = sources.output ?? process.stderr
  const purpose = sources.purpose ?? 'the key'
  const first = await promptHidden(input, output, `Passphrase for ${purpose}: `)
  if (sources.confirm) {
    const again = await promptHidden(input, output, 'Repeat the passphrase: ')
    if (again !== first) throw new WalletError('PASSPHRASE_MISMATCH')
  }
  return first
}

async function fromFile(path: string): Promise<string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new WalletError('NO_PASSPHRASE', `cannot read --passphrase-file ${path}: ${(err as Error).message}`)
  }
  // The first line: files written by `echo` end in a newline that is not part of the passphrase.
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  if (line === '') throw new WalletError('NO_PASSPHRASE', `--passphrase-file ${path} is empty`)
  return line
}

/** Reads one line from a raw-mode TTY without echoing it. */
function promptHidden(input: PromptInput, output: { write(text: string): unknown }, prompt: string): Promise<string> {
  output.write(prompt)
  return new Promise((resolve, reject) => {
    let text = ''
    const wasRaw = input.isRaw === true
    const finish = (err?: Error): void => {
      input.off('data', onData)
      input.setRawMode?.(wasRaw)
      input.pause()
      output.write('\n')
      if (err) reject(err)
      else resolve(text)
    }
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish()
          return
        }
        // Ctrl-C, or Ctrl-D on an empty line: the user gave up.
        if (ch === '\u0003' || (ch === '\u0004' && text === '')) {
          finish(new WalletError('NO_PASSPHRASE', 'cancelled at the passphrase prompt'))
          return
        }
        if (ch === '\u0004') {
          finish()
          return
        }
        if (ch === '\u007f' || ch === '\b') text = Array.from(text).slice(0, -1).join('')
        else text += ch
      }
    }
    input.setEncoding('utf8')
    input.setRawMode?.(true)
    input.on('data', onData)
    input.resume()
  })
}
