/**
 * The W3C operations chain (§4.4.1.2): createOffer, createAnswer, setLocalDescription,
 * setRemoteDescription and addIceCandidate run one at a time, in call order. An operation on an
 * empty chain starts at once (synchronously); when the connection is closed meanwhile, its
 * promise never settles (the spec's "abort these steps").
 */
export class OperationsChain {
  private readonly ops: (() => Promise<void>)[] = [];
  private running = false;
  /** Called whenever the chain becomes empty (W3C: re-check negotiation-needed then). */
  onEmpty: (() => void) | undefined;

  constructor(private readonly isClosed: () => boolean) {}

  get length(): number {
    return this.ops.length + (this.running ? 1 : 0);
  }

  chain<T>(op: () => T | Promise<T>): Promise<T> {
    if (this.isClosed()) return Promise.reject(new DOMException("The RTCPeerConnection is closed", "InvalidStateError"));
    return new Promise<T>((resolve, reject) => {
      this.ops.push(async () => {
        let value: T;
        try {
          value = await op();
        } catch (e) {
          if (!this.isClosed()) reject(e);
          return;
        }
        if (!this.isClosed()) resolve(value);
      });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.ops.length > 0) {
      const op = this.ops.shift()!;
      await op();
    }
    this.running = false;
    if (!this.isClosed()) this.onEmpty?.();
  }
}
