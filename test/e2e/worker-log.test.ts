/**
 * The worker process's log from a mail to its approval request (`npm start`'s entry point, real stack): one line per event,
 * and none of the secrets it was given, no activity taskToken (a credential), no customer address.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { formatLogEntry } from '../../worker/logging.js';
import { testEnv, testPeople, testPolicyYaml } from '../helpers/app.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { STACK_PASSWORD } from '../helpers/ports.js';

describe('the worker log', () => {
  it('drops taskToken from SDK log lines, and writes one line per entry', () => {
    const line = formatLogEntry({
      level: 'INFO',
      message: 'mail taken in',
      timestampNanos: 1_796_000_000_000_000_000n,
      meta: { taskToken: 'c2VjcmV0', caseId: 'ABCDEFGHJK', attempt: 1n },
    });
    expect(line).toBe('2026-11-30T00:53:20.000Z [INFO] mail taken in {"caseId":"ABCDEFGHJK","attempt":"1"}');
  });

  it('carries no secret, task token or customer address from intake to the approval request', async () => {
    const people = testPeople();
    const policyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'nachfass-log-')), 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    const env = await testEnv(people, { POLICY_FILE: policyFile });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      const messageId = `<log-${randomBytes(6).toString('hex')}@kunden.example.test>`;
      await sendViaSmtp({ from: people.customer, to: people.support, subject: 'Log', text: 'Hallo', messageId });
      await waitForMail(people.customer, (m) => m.inReplyTo === messageId, { timeoutMs: 120_000 });
      await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''));
    } finally {
      child.kill('SIGTERM');
    }
    // A clean stop: SIGTERM ends the process with code 0 (graceful shutdown, not a crash).
    const code = child.exitCode ?? (await new Promise<number | null>((r) => child.once('exit', (c) => r(c))));
    expect(code).toBe(0);
    expect(log).toContain('mail taken in');
    for (const secret of [env.LINK_SECRET!, env.PAYLOAD_KEY!, env.CODEC_AUTH_TOKEN!, STACK_PASSWORD, people.customer]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain('taskToken');
  });
});
