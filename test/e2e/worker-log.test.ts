/**
 * The worker process's log through a whole case (`npm start`'s entry point, real stack): one JSON line per event
 * (pino), the SDK's lines among them, and none of the secrets it was given, no activity taskToken (a credential),
 * no customer address and no subject at the default level.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { createLogger, SdkLogger, scrub, textLine, type LogOptions } from '../../worker/logging.js';
import { testEnv, testPeople, testPolicyYaml } from '../helpers/app.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { STACK_PASSWORD } from '../helpers/ports.js';
import { approveAsAdmin } from '../helpers/admin-client.js';

const options: LogOptions = { level: 'info', format: 'json', ourAddresses: ['support@example.test'] };

describe('the worker log', () => {
  it('writes SDK entries as one JSON line each, without taskToken, customer addresses or subjects', () => {
    const lines: string[] = [];
    const sdk = new SdkLogger(
      createLogger(options, (l) => lines.push(l)),
      options,
    );
    sdk.warn('Activity failed: SMTP refused kunde@example.org', {
      taskToken: 'c2VjcmV0',
      caseId: 'ABCDEFGHJK',
      attempt: 1n,
      subject: 'Mein Toaster',
      error: new Error('550 <kunde@example.org>: unknown; from support@example.test'),
    });
    sdk.debug('not at info');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      msg: 'Activity failed: SMTP refused <address>',
      caseId: 'ABCDEFGHJK',
      attempt: '1',
      error: { name: 'Error', message: '550 <<address>>: unknown; from support@example.test' },
    });
    expect(entry).not.toHaveProperty('taskToken');
    expect(entry).not.toHaveProperty('subject');
    expect(typeof entry.time).toBe('string');
  });

  it('shows customers and subjects at debug, never the taskToken; and writes readable lines for the demo', () => {
    const debug = { ...options, level: 'debug' } as const;
    expect(scrub({ from: 'kunde@example.org', subject: 'Toaster', taskToken: 'x' }, debug)).toEqual({
      from: 'kunde@example.org',
      subject: 'Toaster',
    });
    const lines: string[] = [];
    createLogger({ ...options, format: 'text' }, (l) => lines.push(l)).info({ caseId: 'ABC' }, 'mail taken in');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[INFO\] mail taken in \{"caseId":"ABC"\}\n$/);
    expect(textLine('{"level":"warn","time":"t","msg":"m","pid":1,"hostname":"h"}')).toBe('t [WARN] m\n');
  });

  it('carries no secret, task token, customer address or subject through a whole case', async () => {
    const people = testPeople();
    const policyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'nachfass-log-')), 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    const env = await testEnv(people, { POLICY_FILE: policyFile });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const subject = `Toaster ${randomBytes(4).toString('hex')} defekt`;
    try {
      const messageId = `<log-${randomBytes(6).toString('hex')}@kunden.example.test>`;
      await sendViaSmtp({ from: people.customer, to: people.support, subject, text: 'Hallo', messageId });
      const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId, { timeoutMs: 120_000 });
      const caseId = String(ack!.headers.get('x-nachfass-case'));
      await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''));
      await approveAsAdmin(env.PAYLOAD_KEY!, caseId, people.supervisor);
      // Acknowledgment, decision and the follow-up survey (2 s after the decision in the test policy).
      await waitForMail(people.customer, (m) => m.headers.get('x-nachfass-case') === caseId, { count: 3 });
    } finally {
      child.kill('SIGTERM');
    }
    // A clean stop: SIGTERM ends the process with code 0 (graceful shutdown, not a crash).
    const code = child.exitCode ?? (await new Promise<number | null>((r) => child.once('exit', (c) => r(c))));
    expect(code).toBe(0);

    // Kept for a look at what operators see (one JSON line per event).
    mkdirSync(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
    writeFileSync(path.join(PROJECT_ROOT, 'test-results', 'worker-log.ndjson'), stdout);
    const entries = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}`);
        }
      });
    for (const e of entries) expect(e).toMatchObject({ level: expect.any(String), time: expect.any(String) });
    const taken = entries.find((e) => e.msg === 'mail taken in');
    expect(taken).toMatchObject({
      mailbox: `${people.support}/INBOX`,
      workflowId: `intake-${people.support}-INBOX`,
      kind: 'complaint',
      uid: expect.any(Number),
      caseId: expect.any(String),
    });
    // The SDK's own lines come through the same logger.
    expect(entries.some((e) => typeof e.sdkComponent === 'string')).toBe(true);
    expect(entries.some((e) => e.msg === 'SIGTERM: shutting down gracefully')).toBe(true);
    const log = stdout + stderr;
    for (const secret of [
      env.LINK_SECRET!,
      env.PAYLOAD_KEY!,
      env.CODEC_AUTH_TOKEN!,
      STACK_PASSWORD,
      people.customer,
      subject,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain('taskToken');
  });
});
