/**
 * Node 20 shims for what libp2p 3 expects from Node 22. Every entry point and
 * the test setup import this module first. Drop it when the floor moves to Node 22.
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

// Dialing /ws multiaddrs needs a global WebSocket (Node 22 has one built in);
// without it a /ws bootstrap silently never connects.
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
  const { WebSocket } = await import('ws')
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
}

export {}
