/**
 * One Node peer per browser connection: a tsrtc RTCPeerConnection that echoes what the page
 * sends. The offer comes from the browser or from Node (`offerer`); ICE candidates trickle over
 * the signaling socket both ways.
 *
 * Echoing is per kind of thing the page can send: data channels now (every message goes back on
 * the channel it came from). When media lands, video echo hooks in the same way: `pc.ontrack`
 * would add each incoming track back with `pc.addTrack`, and the Node offerer would add a
 * recvonly/sendrecv video transceiver before its offer.
 */
import { type RTCConfiguration, type RTCDataChannel, RTCPeerConnection, type RTCSessionDescriptionInit } from "@tsrtc/webrtc";
import type { Offerer, SignalMessage } from "./signaling.js";

export interface DemoPeerOptions {
  offerer: Offerer;
  /** Passed to RTCPeerConnection (the tsrtc field picks the interfaces ICE gathers on). */
  rtc: RTCConfiguration;
  /** Sends one signaling message to the page. */
  signal(msg: SignalMessage): void;
  /** One line about what happened (state changes, errors); the server prefixes the session. */
  log(line: string): void;
}

/** The label of the channel the Node offerer opens; the page opens the same one when it offers. */
export const CHAT_LABEL = "chat";

export class DemoPeer {
  readonly pc: RTCPeerConnection;
  private readonly channels = new Set<RTCDataChannel>();
  /** Signaling messages are applied one after another, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Messages echoed so far (all channels). */
  echoed = 0;

  constructor(private readonly opts: DemoPeerOptions) {
    const pc = new RTCPeerConnection(opts.rtc);
    this.pc = pc;
    pc.onicecandidate = (e) => {
      opts.signal({ type: "candidate", candidate: e.candidate ? e.candidate.toJSON() : null });
    };
    pc.oniceconnectionstatechange = () => opts.log(`ice ${pc.iceConnectionState}`);
    pc.onconnectionstatechange = () => {
      opts.log(`connection ${pc.connectionState}`);
      if (pc.connectionState === "connected") this.logSelectedPair();
    };
    pc.ondatachannel = (e) => this.echo(e.channel);
  }

  /** Start the session: the Node offerer opens the chat channel and sends its offer. */
  start(): void {
    this.opts.signal({ type: "hello", offerer: this.opts.offerer });
    if (this.opts.offerer !== "node") return;
    this.echo(this.pc.createDataChannel(CHAT_LABEL));
    this.enqueue(async () => {
      await this.pc.setLocalDescription();
      this.sendDescription(this.pc.localDescription);
    });
  }

  /** Apply a message from the page (in order, after the previous one). */
  handle(msg: SignalMessage): void {
    this.enqueue(async () => {
      if (msg.type === "description") {
        await this.pc.setRemoteDescription(msg.description);
        if (msg.description.type === "offer") {
          await this.pc.setLocalDescription();
          this.sendDescription(this.pc.localDescription);
        }
      } else if (msg.type === "candidate") {
        await this.pc.addIceCandidate(msg.candidate ?? undefined);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ch of this.channels) ch.onmessage = null;
    this.channels.clear();
    this.pc.close();
  }

  private echo(channel: RTCDataChannel): void {
    this.channels.add(channel);
    channel.onopen = () => this.opts.log(`channel '${channel.label}' open`);
    channel.onclose = () => {
      this.channels.delete(channel);
      this.opts.log(`channel '${channel.label}' closed`);
    };
    channel.onmessage = (e: MessageEvent) => {
      if (channel.readyState !== "open") return;
      channel.send(e.data as string | ArrayBuffer);
      this.echoed++;
    };
  }

  private sendDescription(d: RTCSessionDescriptionInit | null): void {
    if (d) this.opts.signal({ type: "description", description: { type: d.type, sdp: d.sdp } });
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await step();
      } catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        this.opts.log(`error ${message}`);
        this.opts.signal({ type: "error", message });
      }
    });
  }

  private logSelectedPair(): void {
    const pair = this.pc.sctp?.transport.iceTransport.getSelectedCandidatePair();
    if (pair) this.opts.log(`selected pair ${pair.local.address}:${pair.local.port} <-> ${pair.remote.address}:${pair.remote.port}`);
  }
}
