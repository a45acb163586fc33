/**
 * EventTarget with W3C event handler attributes (on<event>): setting one replaces the previous
 * handler; null removes it (HTML §8.1.8.1). Every event is dispatched once.
 */
type Handler = ((this: EventTarget, ev: Event) => unknown) | null;

export class RtcEventTarget extends EventTarget {
  private readonly handlers = new Map<string, { fn: Handler; listener: (ev: Event) => void }>();

  protected getHandler<T>(type: string): T | null {
    return (this.handlers.get(type)?.fn as T | undefined) ?? null;
  }

  protected setHandler(type: string, fn: unknown): void {
    const old = this.handlers.get(type);
    if (old) {
      this.removeEventListener(type, old.listener);
      this.handlers.delete(type);
    }
    if (typeof fn !== "function") return;
    const handler = fn as (this: EventTarget, ev: Event) => unknown;
    const listener = (ev: Event): void => {
      handler.call(this, ev);
    };
    this.handlers.set(type, { fn: handler, listener });
    this.addEventListener(type, listener);
  }
}
