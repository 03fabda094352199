/** The chain store cannot be used as it is (another chain's data, a missing record): our data, not a peer's fault. */
export class ChainStoreError extends Error {
  override readonly name = 'ChainStoreError'
}
