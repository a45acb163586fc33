/** A small synchronous typed event emitter for channel objects (the W3C EventTarget layer lives in webrtc). */
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners: { [K in keyof E]?: Listener<E[K]>[] } = {};

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    (this.listeners[event] ??= []).push(fn);
    return this;
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const l = this.listeners[event];
    if (l) {
      const i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    }
    return this;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const l = this.listeners[event];
    if (!l) return;
    for (const fn of l.slice()) fn(...args);
  }
}
