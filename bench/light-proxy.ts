/**
 * A TCP relay on 127.0.0.1 that counts the bytes it moves each way: the light
 * bench puts one in front of each full node, per client, and bootstraps the
 * client to the relay's port with the full node's peer id. libp2p's Noise
 * handshake runs end to end through it (the relay only copies bytes), so the
 * counts are what the client's socket received and sent: encrypted, with
 * Noise and Yamux framing and every protocol included, the same bytes a
 * node's `peerchain_network_bytes_total` counts at its transport.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export class CountingProxy {
  /** Bytes from the target to the client: what the client downloaded. */
  down = 0
  /** Bytes from the client to the target. */
  up = 0
  /** Connections accepted. */
  connections = 0
  private readonly sockets = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on an OS-chosen port of 127.0.0.1 and relays every connection to `host:port`. */
  static start(targetHost: string, targetPort: number): Promise<CountingProxy> {
    return new Promise((resolve, reject) => {
      let proxy: CountingProxy | undefined
      const server = createServer((client) => {
        if (!proxy) return client.destroy()
        proxy.relay(client, targetHost, targetPort)
      })
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        if (address === null || typeof address === 'string') return reject(new Error('no TCP address'))
        proxy = new CountingProxy(server, address.port)
        resolve(proxy)
      })
    })
  }

  private relay(client: Socket, host: string, port: number): void {
    this.connections++
    const target = connect({ host, port })
    this.sockets.add(client)
    this.sockets.add(target)
    client.on('data', (chunk: Buffer) => {
      this.up += chunk.byteLength
    })
    target.on('data', (chunk: Buffer) => {
      this.down += chunk.byteLength
    })
    client.pipe(target)
    target.pipe(client)
    const close = (): void => {
      client.destroy()
      target.destroy()
      this.sockets.delete(client)
      this.sockets.delete(target)
    }
    client.on('error', close)
    target.on('error', close)
    client.on('close', close)
    target.on('close', close)
  }

  /** The multiaddr of the relay for a node of `peerId`. */
  multiaddr(peerId: string): string {
    return `/ip4/127.0.0.1/tcp/${this.port}/p2p/${peerId}`
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
