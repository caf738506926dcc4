/**
 * `nachfass status` on the real stack: after a complaint became a case, the command (a process of its own, with
 * the worker's environment) reports the intake live on its worker with nothing waiting in the folder, the open
 * case by status and priority, and that case among those waiting longest.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import type { StatusReport } from '../../worker/status-command.js';
import { startAppWithEnv, testEnv, testPeople, testPolicy } from '../helpers/app.js';
import { openCase } from '../helpers/open-case.js';

const run = promisify(execFile);

async function nachfass(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/cli.ts'), ...args],
    {
      env: { ...process.env, ...env },
      cwd: PROJECT_ROOT,
      timeout: 60_000,
    },
  );
  return stdout;
}

describe('nachfass status', () => {
  it('shows the live intake, the waiting mail, the open case and the longest waiting', async () => {
    const people = testPeople();
    const env = await testEnv(people);
    const app = await startAppWithEnv(env, testPolicy(people));
    try {
      const opened = await openCase(app, people);
      const report = JSON.parse(await nachfass(env, 'status', '--json')) as StatusReport;
      expect(report.taskQueue).toBe(env.TEMPORAL_TASK_QUEUE);
      expect(report.intakes).toEqual([
        expect.objectContaining({
          mailbox: `${people.support}/INBOX`,
          state: 'live',
          worker: expect.stringMatching(/^\d+@/),
          waiting: 0,
          lastCaseStartedAt: expect.any(String),
        }),
      ]);
      expect(report.openCases.total).toBe(1);
      const [status] = Object.keys(report.openCases.byStatus);
      expect(status).toBe('awaiting-decision');
      expect(report.waitingLongest.map((c) => c.caseId)).toEqual([opened.caseId]);
      expect(report.overdue).toEqual([]);

      const text = await nachfass(env, 'status');
      mkdirSync(path.join(PROJECT_ROOT, 'test-results'), { recursive: true });
      writeFileSync(path.join(PROJECT_ROOT, 'test-results', 'nachfass-status.txt'), text);
      expect(text).toContain(`${people.support}/INBOX: LIVE, worker `);
      expect(text).toContain('Open cases: 1');
      expect(text).toContain(opened.caseId);
      expect(text).not.toContain(people.customer);
    } finally {
      await app.stop();
    }
  });
});
