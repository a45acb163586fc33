/** Resolve once `pred()` holds, polling every 5 ms; reject after `ms` (real-time tests only). */
export function waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (pred()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error("timed out"));
      else setTimeout(tick, 5);
    };
    tick();
  });
}
