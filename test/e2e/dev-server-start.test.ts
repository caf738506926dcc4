/**
 * The embedded dev server's start-up failures (worker/dev-server.ts), with the real `temporal` CLI: a port held by
 * another process ends start-up with the CLI's own reason, after the bounded tries, and leaves no server behind.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { portOpen, startDevServer } from '../../worker/dev-server.js';
import { freePort } from '../../scripts/lib/ports.js';

describe('the embedded dev server when a port it needs is taken', () => {
  const holder = net.createServer();
  afterAll(() => new Promise<void>((r) => holder.close(() => r())));

  it("fails with the CLI's reason (the port and 'address already in use'), not a bare stack, and starts nothing", async () => {
    const uiPort = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)),
    );
    const port = await freePort();
    const err = await startDevServer({ port, uiPort }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      new RegExp(`temporal dev server exited \\(1\\):.*UI port ${uiPort}.*address already in use`, 's'),
    );
    expect(await portOpen(port)).toBe(false);
  });
});
