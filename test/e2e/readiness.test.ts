/**
 * /readyz on the real stack (a private Dovecot + Postfix, so stopping them touches no other test): ready when
 * Temporal, the intake's IMAP session and SMTP all work; Dovecot stopped names the mailbox, Postfix stopped names
 * SMTP, Temporal unreachable names Temporal; /healthz answers throughout. Readiness comes back with the servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import type { ReadyReport } from '../../worker/readiness.js';
import { startTestApp, testEnv, testPeople, testPolicy, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';
import { eventually } from '../helpers/eventually.js';
import { startPrivateMailStack, type PrivateMailStack } from '../helpers/private-stack.js';

let stack: PrivateMailStack;
const apps: TestApp[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startPrivateMailStack();
});
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null) continue;
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }
  for (const app of apps) await app.stop().catch((err: unknown) => console.error(err));
  await stack?.destroy();
});

async function readyz(app: TestApp): Promise<{ status: number; report: ReadyReport }> {
  const res = await fetch(`${app.linkServerUrl}/readyz`);
  return { status: res.status, report: (await res.json()) as ReadyReport };
}

/** Asks /readyz until `want` holds (servers take a moment to be noticed); the last answer. */
async function until(
  app: TestApp,
  want: (r: { status: number; report: ReadyReport }) => boolean,
): Promise<{ status: number; report: ReadyReport }> {
  let last: { status: number; report: ReadyReport } | undefined;
  return eventually(
    () => `/readyz never got there; last: ${last?.status} ${JSON.stringify(last?.report)}`,
    async () => {
      last = await readyz(app);
      return want(last) ? last : undefined;
    },
    { everyMs: 500 },
  );
}

async function healthz(app: TestApp): Promise<number> {
  return (await fetch(`${app.linkServerUrl}/healthz`)).status;
}

async function privateApp(env: Record<string, string> = {}): Promise<{ app: TestApp; imap: string }> {
  const people = testPeople();
  const app = await startTestApp(people, testPolicy(people), {
    IMAP_PORT: String(stack.ports.imap),
    SMTP_PORT: String(stack.ports.smtp),
    ...env,
  });
  apps.push(app);
  return { app, imap: `imap:${people.support}/INBOX` };
}

/** A worker process (`npm start`'s entry point) with `env`; stopped after the file. */
function workerProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

describe('/readyz', () => {
  it('is ready with every part working, names the mailbox while Dovecot is down, and recovers', async () => {
    const { app, imap } = await privateApp();
    const ready = await until(app, (r) => r.status === 200);
    expect(ready.report).toMatchObject({ ready: true, failing: [] });
    expect(Object.keys(ready.report.checks).sort()).toEqual([imap, 'smtp', 'temporal']);
    expect(ready.report.checks[imap]?.detail).toMatch(/live session in this process/);

    await stack.down('dovecot');
    const down = await until(app, (r) => r.status === 503);
    expect(down.report.ready).toBe(false);
    expect(down.report.failing).toEqual([imap]);
    expect(down.report.checks[imap]?.detail).toMatch(/no IMAP session since/);
    expect(await healthz(app)).toBe(200);

    await stack.up('dovecot');
    const back = await until(app, (r) => r.status === 200);
    expect(back.report.failing).toEqual([]);
  });

  it('names SMTP when the SMTP server does not answer', async () => {
    await stack.down('postfix');
    try {
      const { app } = await privateApp();
      // Once the intake's session is up, SMTP is the one part failing.
      const r = await until(app, (x) => x.report.failing.join() === 'smtp');
      expect(r.status).toBe(503);
      expect(r.report.failing).toEqual(['smtp']);
      expect(r.report.checks.smtp?.detail).toMatch(/ECONNREFUSED|connect/i);
      expect(await healthz(app)).toBe(200);
    } finally {
      await stack.up('postfix');
    }
  });

  it('names Temporal when its frontend cannot be reached', async () => {
    // A plain TCP relay to the dev server, which the test cuts and restores.
    const [host, port] = inject('temporalAddress').split(':') as [string, string];
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((c) => {
      const up = net.connect(Number(port), host);
      for (const s of [c, up]) {
        sockets.add(s);
        s.on('error', () => undefined).on('close', () => sockets.delete(s));
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const relayPort = (relay.address() as net.AddressInfo).port;
    const { app } = await privateApp({ TEMPORAL_ADDRESS: `127.0.0.1:${relayPort}` });
    await until(app, (r) => r.status === 200);

    await new Promise<void>((r) => {
      relay.close(() => r());
      for (const s of sockets) s.destroy();
    });
    const cut = await until(app, (r) => r.report.checks.temporal?.ok === false);
    expect(cut.status).toBe(503);
    expect(cut.report.failing).toContain('temporal');
    expect(await healthz(app)).toBe(200);

    // Restored on the same port, so that the app stops cleanly.
    await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', r));
    await until(app, (r) => r.report.checks.temporal?.ok === true);
  });

  it('counts a mailbox whose watcher runs in another worker replica as held by that replica', async () => {
    const people = testPeople();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nachfass-ready-'));
    writeFileSync(path.join(dir, 'policy.yaml'), testPolicyYaml(people));
    const env = await testEnv(people, {
      POLICY_FILE: path.join(dir, 'policy.yaml'),
      IMAP_PORT: String(stack.ports.imap),
      SMTP_PORT: String(stack.ports.smtp),
    });
    const second = await freePort();
    const urls = [env.PUBLIC_URL!, `http://127.0.0.1:${second}`];
    // Two replicas: the same mailbox and task queue, each its own link server.
    const [a, b] = [workerProcess(env), workerProcess({ ...env, HTTP_PORT: String(second), PUBLIC_URL: urls[1]! })];
    const imap = `imap:${people.support}/INBOX`;
    const readyAt = (url: string): Promise<ReadyReport> =>
      eventually(`${url}/readyz ready`, async () => {
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 ? ((await res.json()) as ReadyReport) : undefined;
      });
    const details = (await Promise.all(urls.map(readyAt))).map((r) => r.checks[imap]?.detail ?? '');
    // One holds the session; the other names it by its worker identity (pid@host).
    const holder = details.findIndex((d) => d.startsWith('live session in this process'));
    expect(holder).toBeGreaterThanOrEqual(0);
    const other = details[1 - holder]!;
    expect(other).toMatch(/^held by worker \d+@/);
    expect(other).toContain(String((holder === 0 ? a : b).pid));
  });
});
