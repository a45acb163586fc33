/**
 * A FIFO that reuses its backing array: no allocation per push/shift in steady state (the
 * per-record path pushes one datagram and one event and drains them at once).
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private tail = 0;

  push(v: T): void {
    this.items[this.tail++] = v;
  }

  shift(): T | undefined {
    if (this.head === this.tail) return undefined;
    const v = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    return v;
  }

  get length(): number {
    return this.tail - this.head;
  }
}
