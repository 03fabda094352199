/** Failures of the wallet: each kind has a code the CLI and tests switch on. */
export type WalletErrorCode =
  | 'WRONG_PASSPHRASE'
  | 'CORRUPT_KEYSTORE'
  | 'EXISTS'
  | 'NOT_FOUND'
  | 'BAD_NAME'
  | 'EMPTY_PASSPHRASE'
  | 'NO_PASSPHRASE'
  | 'PASSPHRASE_MISMATCH'
  | 'LOCKED'
  | 'BUILT_IN'
  | 'PASSPHRASE_RATE_LIMITED'
  | 'KDF_TOO_COSTLY'

const DEFAULT_MESSAGES: Record<WalletErrorCode, string> = {
  WRONG_PASSPHRASE: 'wrong passphrase',
  CORRUPT_KEYSTORE: 'the keystore file is corrupt or of an unknown version',
  EXISTS: 'a key with this name exists already',
  NOT_FOUND: 'no key with this name',
  BAD_NAME: 'a key name is 1-64 letters, digits, "-" or "_"',
  EMPTY_PASSPHRASE: 'the passphrase is empty',
  NO_PASSPHRASE: 'no passphrase given',
  PASSPHRASE_MISMATCH: 'the passphrases do not match',
  LOCKED: 'the key is locked',
  BUILT_IN: 'a built-in key cannot be changed',
  PASSPHRASE_RATE_LIMITED: 'too many wrong passphrases for this key: wait before trying again',
  KDF_TOO_COSTLY: 'the keystore asks for scrypt parameters above the bound this node derives keys with',
}

export class WalletError extends Error {
  override readonly name = 'WalletError'
  constructor(
    readonly code: WalletErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
