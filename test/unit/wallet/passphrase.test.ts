import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WalletError } from '../../../src/wallet/errors.js'
import { PASSPHRASE_ENV, type PromptInput, readPassphrase } from '../../../src/wallet/passphrase.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerchain-pass-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A stream that claims to be a terminal and records raw-mode changes. */
function fakeTty(typed: string[]): PromptInput & { rawModes: boolean[] } {
  const stream = new PassThrough({ encoding: 'utf8' })
  const rawModes: boolean[] = []
  let isRaw = false
  const tty = Object.assign(stream, {
    isTTY: true,
    rawModes,
    get isRaw() {
      return isRaw
    },
    setRawMode(raw: boolean) {
      isRaw = raw
      rawModes.push(raw)
      return tty
    },
  })
  // Each chunk after a tick, as keystrokes arrive.
  let delay = 5
  for (const chunk of typed) {
    setTimeout(() => stream.write(chunk), delay)
    delay += 5
  }
  return tty as unknown as PromptInput & { rawModes: boolean[] }
}

const notTty = (): PromptInput => Object.assign(new PassThrough(), { isTTY: false }) as unknown as PromptInput

function sink(): { write(text: string): boolean; text: string } {
  return {
    text: '',
    write(t: string) {
      this.text += t
      return true
    },
  }
}

describe('readPassphrase', () => {
  it('takes --passphrase-file first, then the env var, then the prompt', async () => {
    const file = join(dir, 'pass.txt')
    await writeFile(file, 'from-file\n')
    const env = { [PASSPHRASE_ENV]: 'from-env' }
    expect(await readPassphrase({ passphraseFile: file, env, input: fakeTty(['typed\r']) })).toBe('from-file')
    expect(await readPassphrase({ env, input: fakeTty(['typed\r']) })).toBe('from-env')
    const input = fakeTty(['ty', 'ped\r'])
    const output = sink()
    expect(await readPassphrase({ env: {}, input, output })).toBe('typed')
    expect(output.text).not.toContain('typed') // no echo
    expect(input.rawModes).toEqual([true, false])
  })

  it('reads only the first line of the file, and refuses an empty or missing file', async () => {
    const file = join(dir, 'pass.txt')
    await writeFile(file, 'secret with spaces\r\nsecond line\n')
    expect(await readPassphrase({ passphraseFile: file, env: {} })).toBe('secret with spaces')
    await writeFile(file, '\n')
    await expect(readPassphrase({ passphraseFile: file, env: {} })).rejects.toMatchObject({ code: 'NO_PASSPHRASE' })
    await expect(readPassphrase({ passphraseFile: join(dir, 'none'), env: {} })).rejects.toMatchObject({
      code: 'NO_PASSPHRASE',
    })
  })

  it('fails at once without a TTY, saying how to give a passphrase', async () => {
    const err = await readPassphrase({ env: {}, input: notTty() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WalletError)
    expect((err as WalletError).code).toBe('NO_PASSPHRASE')
    expect((err as WalletError).message).toContain(PASSPHRASE_ENV)
    expect((err as WalletError).message).toContain('--passphrase-file')
    // An empty env var is not a passphrase.
    await expect(readPassphrase({ env: { [PASSPHRASE_ENV]: '' }, input: notTty() })).rejects.toMatchObject({
      code: 'NO_PASSPHRASE',
    })
  })

  it('handles backspace, asks twice with confirm, and refuses a mismatch', async () => {
    expect(await readPassphrase({ env: {}, input: fakeTty(['abx\u007fc\r']), output: sink() })).toBe('abc')
    expect(await readPassphrase({ env: {}, input: fakeTty(['same\r', 'same\n']), output: sink(), confirm: true })).toBe(
      'same',
    )
    await expect(
      readPassphrase({ env: {}, input: fakeTty(['one\r', 'two\r']), output: sink(), confirm: true }),
    ).rejects.toMatchObject({ code: 'PASSPHRASE_MISMATCH' })
  })

  it('treats Ctrl-C at the prompt as cancel and restores the terminal', async () => {
    const input = fakeTty(['ab\u0003'])
    await expect(readPassphrase({ env: {}, input, output: sink() })).rejects.toMatchObject({ code: 'NO_PASSPHRASE' })
    expect(input.rawModes).toEqual([true, false])
  })
})
