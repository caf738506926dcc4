/**
 * The reconciler on its Temporal Schedule (issue 16, part 1), on the real stack: the worker creates the schedule
 * (RECONCILE_EVERY, seconds here), each run is a ReconcileWorkflow whose result is the report; a clean mailbox
 * gives a run without problems and no alarm; a complaint moved by hand to Processed makes the next run set
 * `nachfass_reconcile_problems{kind="unaccounted"}` and tell ADMIN_ADDRESS once, with folder, UID and what to do.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../activities/reconcile/account.js';
import { registry } from '../../activities/metrics.js';
import { reconcileScheduleId } from '../../worker/reconcile-schedule.js';
import { startAppWithEnv, testEnv, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { readFolder, sendViaSmtp, uniqueAddress, waitForMail, withImap } from '../helpers/mail.js';

describe('the reconciler on its schedule', () => {
  let app: TestApp | undefined;
  afterAll(async () => {
    if (app) await app.client.schedule.getHandle(reconcileScheduleId(app.config.temporal.taskQueue)).delete();
    await app?.stop();
  });

  it('runs every RECONCILE_EVERY, and a problem sets the metric and tells the admin once', async () => {
    const people = testPeople();
    const admin = uniqueAddress('betrieb');
    const env = await testEnv(people, {
      RECONCILE_EVERY: '3s',
      RECONCILE_SINCE: '1h',
      ADMIN_ADDRESS: `Betrieb <${admin}>`,
      INTAKE_RECHECK: '1s',
    });
    app = await startAppWithEnv(env, testPolicy(people));
    const a = app;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Lieferung fehlt',
      text: 'Meine Lieferung ist nicht angekommen.',
      messageId: `<sched-${randomBytes(4).toString('hex')}@kunden.example.test>`,
    });
    await waitForMail(people.customer, (m) => /Lieferung fehlt/.test(m.subject ?? ''));

    /** The result of the newest completed reconcile run that started after `after`. */
    const runAfter = (after: Date): Promise<ReconcileReport> =>
      eventually(
        'a reconcile run',
        async () => {
          const q = `WorkflowType = 'ReconcileWorkflow' AND TaskQueue = '${a.config.temporal.taskQueue}' AND ExecutionStatus = 'Completed' AND StartTime > '${after.toISOString()}'`;
          for await (const w of a.client.workflow.list({ query: q })) {
            return a.client.workflow.getHandle(w.workflowId, w.runId).result() as Promise<ReconcileReport>;
          }
          return undefined;
        },
        { timeoutMs: 60_000, everyMs: 1_000 },
      );

    const clean = await runAfter(new Date());
    expect(clean.problems).toEqual([]);
    expect(clean.counts.case).toBe(1);

    // A complaint moved by hand from the watched folder to Processed, past intake.
    const moved = `<moved-${randomBytes(4).toString('hex')}@kunden.example.test>`;
    const uid = await withImap(people.support, async (c) => {
      const r = await c.append(
        'Processed',
        Buffer.from(
          `From: <${people.customer}>\r\nTo: ${people.support}\r\nSubject: Am Eingang vorbei\r\nMessage-ID: ${moved}\r\n\r\nHallo\r\n`,
        ),
      );
      return r ? r.uid : undefined;
    });
    const found = await eventually(
      'a run that finds it',
      async () => {
        const r = await runAfter(new Date());
        return r.problems.length > 0 ? r : undefined;
      },
      { timeoutMs: 90_000, everyMs: 100 },
    );
    expect(found.problems).toMatchObject([
      { kind: 'unaccounted', folder: 'Processed', uid, subject: 'Am Eingang vorbei' },
    ]);
    expect(await registry.getSingleMetricAsString('nachfass_reconcile_problems')).toMatch(
      /nachfass_reconcile_problems\{kind="unaccounted"\} 1/,
    );
    const [alarm] = await waitForMail(admin, (m) => /Postfachabgleich/.test(m.subject ?? ''));
    expect(alarm!.text).toContain(`Processed UID ${uid} "Am Eingang vorbei"`);
    expect(alarm!.text).toContain(`nachfass replay --from Processed ${uid}`);
    // The same problem in the next runs: no second mail.
    await runAfter(new Date());
    await runAfter(new Date());
    expect((await readFolder(admin)).filter((m) => /Postfachabgleich/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });
});
