/**
 * libp2p's WebSockets transport dials with the global `WebSocket`, which Node 22
 * has built in and Node 20 lacks: there, a /ws bootstrap would silently never
 * connect. createHost installs ws's client as the global first. (Here rather
 * than in util/shims.ts so that commands without libp2p never load ws.)
 */
export async function ensureWebSocketGlobal(): Promise<void> {
  const global = globalThis as { WebSocket?: unknown }
  if (typeof global.WebSocket === 'function') return
  const { WebSocket } = await import('ws')
  global.WebSocket = WebSocket
}
