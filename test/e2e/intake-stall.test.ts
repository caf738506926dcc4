/**
 * The intake stall alarm on the real stack. The watched mailbox lives on a private Dovecot (stopped and restarted
 * here); mail goes out through the shared Postfix, so the admin's alarm reaches the shared Dovecot meanwhile.
 * Dovecot stopped longer than INTAKE_STALL_AFTER raises the alarm (gauge, error line, one mail to ADMIN_ADDRESS),
 * and its restart brings the all-clear; a watcher wedged by an injected fault raises it too.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../activities/metrics.js';
import type { RouterDeps } from '../../activities/intake/route.js';
import { startApp, type App } from '../../worker/app.js';
import { loadConfig } from '../../worker/config.js';
import { testEnv, testPeople, testPolicy, workflowBundle } from '../helpers/app.js';
import { deliverViaLmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { eventually } from '../helpers/eventually.js';
import { startPrivateMailStack, type PrivateMailStack } from '../helpers/private-stack.js';

let stack: PrivateMailStack;
const apps: App[] = [];

beforeAll(async () => {
  stack = await startPrivateMailStack();
});
afterAll(async () => {
  for (const app of apps) await app.stop().catch((err: unknown) => console.error(err));
  await stack?.destroy();
});

async function stalledGauge(mailbox: string): Promise<number | undefined> {
  const values = (await registry.getSingleMetric('nachfass_intake_stalled')?.get())?.values ?? [];
  return values.find((v) => v.labels.mailbox === mailbox)?.value;
}

/** An app watching a fresh mailbox on the private Dovecot, sending through the shared Postfix. */
async function stallApp(wrapRouter?: (deps: RouterDeps) => RouterDeps) {
  const people = testPeople();
  const admin = uniqueAddress('admin');
  const lines: string[] = [];
  const env = await testEnv(people, {
    IMAP_PORT: String(stack.ports.imap),
    INTAKE_STALL_AFTER: '3s',
    INTAKE_RECHECK: '1s',
    ADMIN_ADDRESS: `Betrieb <${admin}>`,
  });
  const app = await startApp(loadConfig(env), testPolicy(people), {
    workflowBundle: await workflowBundle(),
    log: (line) => lines.push(line),
    ...(wrapRouter ? { wrapRouter } : {}),
  });
  apps.push(app);
  const mailbox = `${people.support}/INBOX`;
  await eventually('a live session', async () => ((await stalledGauge(mailbox)) === 0 ? true : undefined));
  return { app, people, admin, lines, mailbox };
}

const isAlarm = (m: { subject?: string | undefined }): boolean => /steht still/.test(m.subject ?? '');
const isAllClear = (m: { subject?: string | undefined }): boolean => /läuft wieder/.test(m.subject ?? '');

describe('the intake stall alarm', () => {
  it('raises the alarm while Dovecot is down longer than INTAKE_STALL_AFTER, and gives the all-clear after its restart', async () => {
    const { admin, lines, mailbox } = await stallApp();
    await stack.down('dovecot');
    try {
      const [alarm] = await waitForMail(admin, isAlarm);
      expect(alarm!.subject).toBe(`[Nachfass] Posteingang ${mailbox} steht still`);
      expect(alarm!.text).toMatch(/no working IMAP session for \d+ s/);
      expect(alarm!.headers.get('auto-submitted')).toBe('auto-generated');
      expect(await stalledGauge(mailbox)).toBe(1);
      expect(lines.filter((l) => l.startsWith(`error: intake stalled: ${mailbox}`))).toHaveLength(1);
    } finally {
      await stack.up('dovecot');
    }
    await waitForMail(admin, isAllClear);
    expect(await stalledGauge(mailbox)).toBe(0);
    expect(lines.some((l) => l.startsWith(`intake recovered: ${mailbox}`))).toBe(true);
    // One alarm for the one outage, however many checks saw it.
    expect(await waitForMail(admin, isAlarm)).toHaveLength(1);
  });

  it('raises the alarm when a pass hangs (a wedged watcher), and clears when it ends', async () => {
    let release = (): void => undefined;
    const released = new Promise<void>((r) => (release = r));
    const { people, admin, mailbox } = await stallApp((deps) => ({
      ...deps,
      // The injected fault: starting a case hangs until the test lets it go.
      startCase: async (input) => {
        await released;
        return deps.startCase(input);
      },
    }));
    try {
      const id = `<stall-${randomBytes(6).toString('hex')}@kunden.example.test>`;
      const raw = `From: ${people.customer}\r\nTo: ${people.support}\r\nSubject: Hängt\r\nMessage-ID: ${id}\r\nDate: ${new Date().toUTCString()}\r\n\r\nHallo\r\n`;
      await deliverViaLmtp(people.customer, people.support, raw, stack.ports.lmtp);
      const [alarm] = await waitForMail(admin, isAlarm);
      expect(alarm!.text).toMatch(/no pass over the folder has ended for \d+ s: the watcher hangs/);
      expect(await stalledGauge(mailbox)).toBe(1);
    } finally {
      release();
    }
    await waitForMail(admin, isAllClear);
    expect(await stalledGauge(mailbox)).toBe(0);
  });
});
