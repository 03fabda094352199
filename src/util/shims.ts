/**
 * Node 20 shims for what libp2p 3 expects from Node 22. Every entry point and
 * the test setup import this module first. Drop it when the floor moves to Node 22.
 * (The global WebSocket libp2p dials with is net/websocket-global.ts's, installed
 * when a host is created, so that commands without libp2p never load ws.)
 */
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
  })
}

export {}
