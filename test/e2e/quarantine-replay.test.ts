/**
 * Quarantine with reason codes, and replay (issue 16, part 2), on the real stack: a complaint over
 * IMAP_MAX_MAIL_BYTES is set aside as too-large; `nachfass quarantine` lists it with its code; once an admin has
 * raised the limit, `nachfass replay UID` sends it back through intake and it becomes a case. Nothing is deleted,
 * and replaying again (the same UID, or a second copy of the mail) still yields one case.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { caseIdFor, workflowIdFor } from '../../activities/identity.js';
import { listQuarantine, REPLAYED } from '../../activities/reconcile/quarantine.js';
import { loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { mailboxesOf } from '../../worker/intakes.js';
import { countCases, startAppWithEnv, testEnv, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { deliverViaLmtp, withImap } from '../helpers/mail.js';

const run = promisify(execFile);
const running: TestApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

async function uidsIn(address: string, folder: string): Promise<number[]> {
  return withImap(address, async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      return (await c.search({ all: true }, { uid: true })) || [];
    } finally {
      lock.release();
    }
  });
}

describe('quarantine and replay', () => {
  it('lists a too-large complaint with its code, and replays it into one case once the limit is raised', async () => {
    const people = testPeople();
    const policy = testPolicy(people);
    const env = await testEnv(people, { INTAKE_RECHECK: '1s' });
    const cli = (...args: string[]) =>
      run('npx', ['nachfass', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 120_000 });

    const messageId = `<gross-${randomBytes(4).toString('hex')}@kunden.example.test>`;
    const raw = [
      `From: Kundin <${people.customer}>`,
      `To: ${people.support}`,
      'Subject: Fotos vom Schaden',
      `Message-ID: ${messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Anbei die Fotos. ' + 'x'.repeat(60_000),
      '',
    ].join('\r\n');

    // 1. With a 20 KB limit the mail is set aside unread, as too-large.
    const small = await startAppWithEnv({ ...env, IMAP_MAX_MAIL_BYTES: '20000' }, policy);
    running.push(small);
    await deliverViaLmtp(people.customer, people.support, raw);
    const [uid] = await eventually('quarantined', async () => {
      const u = await uidsIn(people.support, 'Quarantine');
      return u.length === 1 ? u : undefined;
    });
    expect(await countCases(small)).toBe(0);
    await small.stop();
    running.splice(0);

    const listed = await listQuarantine(mailboxesOf(loadConfig(env), policy)[0]!);
    expect(listed).toMatchObject([{ uid, codes: ['too-large'], subject: 'Fotos vom Schaden', replayed: false }]);
    const { stdout: list } = await cli('quarantine');
    expect(list).toContain(`UID ${uid}`);
    expect(list).toContain('[too-large]');

    // 2. The admin raised the limit (the default) and replays it: it becomes a case.
    const app = await startAppWithEnv(env, policy);
    running.push(app);
    const { stdout: replayed } = await cli('replay', String(uid));
    expect(replayed).toContain(`1 mail moved back to INBOX for intake (UID ${uid})`);
    await eventually('a case from the replayed mail', async () => ((await countCases(app)) === 1 ? true : undefined));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseIdFor(messageId, Buffer.from(raw))));
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // 3. Replaying the same UID again finds nothing in Quarantine (exit 1) and changes nothing.
    await expect(cli('replay', String(uid))).rejects.toMatchObject({ code: 1 });

    // 4. A second copy of the mail replayed: still one case, and the copy is kept in Processed.
    await withImap(people.support, async (c) => {
      await c.append('Quarantine', Buffer.from(raw), ['$NachfassQuarantine-too-large']);
    });
    await cli('replay', '--all');
    const processed = await eventually('both copies in Processed', async () => {
      const u = await uidsIn(people.support, 'Processed');
      return u.length === 2 ? u : undefined;
    });
    expect(processed).toHaveLength(2);
    expect(await countCases(app)).toBe(1);
    const flags = await withImap(people.support, async (c) => {
      const lock = await c.getMailboxLock('Processed');
      try {
        return (await c.fetchAll('1:*', { flags: true })).map((m) => [...(m.flags ?? [])]);
      } finally {
        lock.release();
      }
    });
    // Each copy keeps its code as its record, and is marked as replayed.
    for (const f of flags) expect(f).toEqual(expect.arrayContaining([REPLAYED, '$NachfassQuarantine-too-large']));
    expect(await uidsIn(people.support, 'Quarantine')).toEqual([]);
  });
});
