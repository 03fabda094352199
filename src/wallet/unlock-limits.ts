/** The bounds of an unlocked key's life and of passphrase guessing (docs/LIMITS.md, "API"). */
import type { BucketRate } from '../util/token-bucket.js'

/** How long an unlock lasts when the caller does not say. */
export const UNLOCK_TIMEOUT_SEC_DEFAULT = 300
/** The longest unlock: a day. A key meant to stay unlocked is unlocked again, deliberately. */
export const UNLOCK_TIMEOUT_SEC_MAX = 86_400
/** Wrong passphrases per key name: a burst of 5, then one every 10 s. */
export const WRONG_PASSPHRASE_RATE: BucketRate = { capacity: 5, ratePerSec: 0.1 }
