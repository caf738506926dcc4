/**
 * The embedded dev server's start-up failures (worker/dev-server.ts), with the real `temporal` CLI: a port held by
 * another process ends start-up with the CLI's own reason, after the bounded tries, and leaves no server behind; a
 * port freed after a failed try gets a server on the next one, and each try again is reported.
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
    const retries: number[] = [];
    const err = await startDevServer({ port, uiPort, onRetry: (_r, attempt) => retries.push(attempt) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      new RegExp(`temporal dev server exited \\(1\\):.*UI port ${uiPort}.*address already in use`, 's'),
    );
    expect(retries).toEqual([2, 3]);
    expect(await portOpen(port)).toBe(false);
  });

  it('starts on the next try once the port is free again, and says why it tried again', async () => {
    const held = net.createServer();
    const uiPort = await new Promise<number>((resolve) =>
      held.listen(0, '127.0.0.1', () => resolve((held.address() as net.AddressInfo).port)),
    );
    const port = await freePort();
    const told: Array<{ reason: string; attempt: number }> = [];
    const server = await startDevServer({
      port,
      uiPort,
      // The first try failed on the held port: it is let go before the second.
      onRetry: (reason, attempt) => {
        told.push({ reason, attempt });
        held.close();
      },
    });
    try {
      expect(told).toHaveLength(1);
      expect(told[0]?.attempt).toBe(2);
      expect(told[0]?.reason).toMatch(new RegExp(`${uiPort}.*address already in use`));
      expect(await portOpen(port)).toBe(true);
      expect(await portOpen(uiPort)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(await portOpen(port)).toBe(false);
  });
});
