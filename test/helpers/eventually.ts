/** Polling for tests on real servers: what they wait for takes a moment, never a fixed time. */

/** Asks `probe` every `everyMs` until it gives a value (not undefined); fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  { timeoutMs = 90_000, everyMs = 250 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
