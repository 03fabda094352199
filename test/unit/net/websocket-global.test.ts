/** libp2p dials /ws addresses with the global WebSocket, which Node 20 lacks: createHost installs one. */
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import { ensureWebSocketGlobal } from '../../../src/net/websocket-global.js'

const global = globalThis as { WebSocket?: unknown }
const original = global.WebSocket

afterEach(() => {
  global.WebSocket = original
})

describe('ensureWebSocketGlobal', () => {
  it("installs ws's client when there is no global WebSocket", async () => {
    global.WebSocket = undefined
    await ensureWebSocketGlobal()
    expect(global.WebSocket).toBe(WsWebSocket)
  })

  it('keeps a WebSocket that is there (Node 22 has one built in)', async () => {
    class Builtin {}
    global.WebSocket = Builtin
    await ensureWebSocketGlobal()
    expect(global.WebSocket).toBe(Builtin)
  })
})
