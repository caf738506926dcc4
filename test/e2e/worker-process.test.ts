/**
 * `npm start` as a process: configuration errors stop start-up naming the variable, and without
 * TEMPORAL_ADDRESS the worker starts the embedded Temporal dev server itself (with its Web UI).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { portOpen } from '../../worker/dev-server.js';
import { startAppWithEnv, testEnv, testPeople, testPolicy } from '../helpers/app.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);

describe('the worker process', () => {
  it('stops start-up on bad configuration, naming every bad variable', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      IMAP_USER: 'support@example.test',
      IMAP_PASSWORD: 'x',
      SMTP_HOST: 'localhost',
      SUPPORT_ADDRESS: 'not an address',
      LINK_SECRET: 'short',
      IMAP_SECURE: 'vielleicht',
    };
    const failed = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      env,
      cwd: PROJECT_ROOT,
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('IMAP_HOST: missing (required)');
    expect(failed?.stderr).toContain('SUPPORT_ADDRESS: must be an address');
    expect(failed?.stderr).toContain('LINK_SECRET: must be at least 32 bytes');
    expect(failed?.stderr).toMatch(/IMAP_SECURE: /);
    expect(failed?.stderr).not.toContain('    at '); // a message, not a stack trace
  });

  it('starts the embedded dev server when TEMPORAL_ADDRESS is unset, and stops it again', async () => {
    const people = testPeople();
    const [port, uiPort] = [await freePort(), await freePort()];
    const env = await testEnv(people, {
      TEMPORAL_DEV_PORT: String(port),
      TEMPORAL_DEV_UI_PORT: String(uiPort),
      TEMPORAL_DEV_DB: path.join(mkdtempSync(path.join(os.tmpdir(), 'nachfass-db-')), 'temporal.db'),
    });
    delete env.TEMPORAL_ADDRESS;
    const app = await startAppWithEnv(env, testPolicy(people));
    try {
      expect(app.temporalAddress).toBe(`127.0.0.1:${port}`);
      expect(app.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
      expect((await fetch(`${app.uiUrl}/namespaces/default/workflows`)).status).toBe(200);
      const messageId = `<embedded-${randomBytes(6).toString('hex')}@kunden.example.test>`;
      await sendViaSmtp({
        from: people.customer,
        to: people.support,
        subject: 'Test über den eingebetteten Server',
        text: 'Hallo',
        messageId,
      });
      await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    } finally {
      await app.stop();
    }
    expect(await portOpen(port)).toBe(false);
  });
});
