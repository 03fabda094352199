/**
 * Our protocols on a libp2p host's streams: request/response (request.ts's
 * bounded exchange, each request on a stream opened ahead for it when one is
 * ready, warm-streams.ts, else on a new one) and one-way messages on
 * long-lived streams (message-streams.ts). The `Network`'s `handle`,
 * `request`, `handleMessages` and `sendMessage` are these.
 */
import type { Timers } from '../util/timers.js'
import type { Host } from './host.js'
import { MessageSender, messageStreamOptions, serveMessages } from './message-streams.js'
import type { MessageHandler, MessageLimits, PeerIdString, RequestHandler, RequestLimits } from './network.js'
import type { NetworkLog } from './options.js'
import { toPeerId } from './peer-ids.js'
import { STREAMS_PER_PROTOCOL_MAX, sendRequest, serveRequests, streamHandlerOptions } from './request.js'
import { type OpenStream, WarmStreams } from './warm-streams.js'

export class HostStreams {
  private readonly warm: WarmStreams
  private readonly messages: MessageSender

  constructor(
    private readonly host: Host,
    private readonly log: NetworkLog,
    timers: Timers,
  ) {
    this.warm = new WarmStreams(this.openRequestStream, timers, log)
    this.messages = new MessageSender(
      (peer, protocol, signal) => host.dialProtocol(toPeerId(peer), protocol, { signal, ...messageStreamOptions() }),
      log,
    )
  }

  /** Request streams opened ahead so far, taken by a request, and closed unused. */
  get streamsAhead(): { opened: number; taken: number; expired: number } {
    return this.warm.stats
  }

  async serveRequests(protocol: string, handler: RequestHandler, limits: RequestLimits): Promise<void> {
    await this.host.handle(protocol, serveRequests(protocol, handler, limits, this.log), streamHandlerOptions())
  }

  request(
    peer: PeerIdString,
    protocol: string,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    return sendRequest(this.openRequestStream, peer, protocol, request, limits, signal, this.warm)
  }

  async serveMessages(protocol: string, handler: MessageHandler, limits: MessageLimits): Promise<void> {
    await this.host.handle(protocol, serveMessages(protocol, handler, limits, this.log), messageStreamOptions())
  }

  sendMessage(peer: PeerIdString, protocol: string, message: Uint8Array, limits: MessageLimits): Promise<void> {
    return this.messages.send(peer, protocol, message, limits)
  }

  /** The peer left: the request streams opened ahead to it went with its connection. */
  forget(peer: PeerIdString): void {
    this.warm.forget(peer)
  }

  /** The node stops. */
  closeAll(): void {
    this.warm.closeAll()
    this.messages.closeAll()
  }

  private readonly openRequestStream: OpenStream = (peer, protocol, signal) =>
    this.host.dialProtocol(toPeerId(peer), protocol, { signal, maxOutboundStreams: STREAMS_PER_PROTOCOL_MAX })
}
