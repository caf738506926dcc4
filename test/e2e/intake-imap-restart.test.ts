/**
 * The IMAP server restarts while the worker runs: intake notices, reconnects with backoff by itself and
 * takes in what arrives afterwards. Uses a private Dovecot instance (scripts/stack.sh with its own
 * directory and ports) so the shared one stays up for the other tests.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { deliverViaLmtp, waitForMail } from '../helpers/mail.js';
import { freePort } from '../helpers/ports.js';

describe('an IMAP server restart', () => {
  const people = testPeople();
  const dir = mkdtempSync('/tmp/nf-');
  let stackEnv: NodeJS.ProcessEnv;
  let lmtp: number;
  let app: TestApp;
  const stack = (...args: string[]): void => {
    execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/stack.sh'), ...args], { env: stackEnv, stdio: 'ignore' });
  };

  beforeAll(async () => {
    chmodSync(dir, 0o755); // Dovecot's mail user must reach its Maildirs.
    const imap = await freePort();
    lmtp = await freePort();
    stackEnv = {
      ...process.env,
      NACHFASS_STACK_DIR: dir,
      NACHFASS_IMAP_PORT: String(imap),
      NACHFASS_LMTP_PORT: String(lmtp),
    };
    stack('up', 'dovecot');
    app = await startTestApp(people, testPolicy(people), { IMAP_PORT: String(imap) });
  });
  afterAll(async () => {
    await app?.stop();
    stack('down', 'dovecot');
    rmSync(dir, { recursive: true, force: true });
  });

  const complaint = (tag: string): { id: string; raw: string } => {
    const id = `<${tag}-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const raw = [
      `From: ${people.customer}`,
      `To: ${people.support}`,
      `Subject: Beschwerde ${tag}`,
      `Message-ID: ${id}`,
      'Date: Mon, 23 Nov 2026 10:00:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Problem ${tag}.`,
      '',
    ].join('\r\n');
    return { id, raw };
  };

  it('reconnects by itself and takes in mail that arrives after the restart', async () => {
    const before = complaint('vorher');
    await deliverViaLmtp(people.customer, people.support, before.raw, lmtp);
    await waitForMail(people.customer, (m) => m.inReplyTo === before.id);

    stack('down', 'dovecot');
    await new Promise((r) => setTimeout(r, 2000));
    stack('up', 'dovecot');

    const after = complaint('nachher');
    await deliverViaLmtp(people.customer, people.support, after.raw, lmtp);
    await waitForMail(people.customer, (m) => m.inReplyTo === after.id, { timeoutMs: 90_000 });
    expect((await app.client.workflow.getHandle(app.intakeWorkflowId).describe()).status.name).toBe('RUNNING');
  });

  it('goes on after the folder’s UIDVALIDITY changes (Dovecot drops the session)', async () => {
    const first = complaint('uidv1');
    await deliverViaLmtp(people.customer, people.support, first.raw, lmtp);
    await waitForMail(people.customer, (m) => m.inReplyTo === first.id);
    execFileSync('doveadm', [
      '-c',
      path.join(dir, 'dovecot/dovecot.conf'),
      'mailbox',
      'update',
      '-u',
      people.support,
      '--uid-validity',
      String(Math.floor(Date.now() / 1000)),
      'INBOX',
    ]);
    const second = complaint('uidv2');
    await deliverViaLmtp(people.customer, people.support, second.raw, lmtp);
    await waitForMail(people.customer, (m) => m.inReplyTo === second.id, { timeoutMs: 90_000 });
  });
});
