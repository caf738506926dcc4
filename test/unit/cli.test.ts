/** The admin CLI as an admin runs it: reads a mail file, touches no server. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, [path.join(PROJECT_ROOT, 'bin/nachfass.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '' },
  });
const fixture = (name: string): string => path.join(PROJECT_ROOT, 'test/fixtures/mail', name);

describe('npx nachfass', () => {
  it('classify explains why a real Postfix bounce is not a complaint', async () => {
    const { stdout } = await cli('classify', fixture('bounce-postfix-real-envid.eml'));
    const verdict = JSON.parse(stdout) as { kind: string; caseId: string; reasons: string[] };
    expect(verdict).toMatchObject({ kind: 'bounce', caseId: '7K3M9QXA2B' });
    expect(verdict.reasons.join(' ')).toContain('Original-Envelope-Id');
  });

  it('assess dry-runs the policy: promise, reminder and escalation in business hours', async () => {
    const { stdout } = await cli('assess', fixture('complaint-de-utf8-8bit.eml'), '--at', '2026-12-24T17:00:00+01:00');
    const out = JSON.parse(stdout) as { priority: string; route: string[]; times: Record<string, string> };
    expect(out.route[0]).toContain('Sabine Schulz');
    // 1 h on 24 December, Christmas and the weekend closed, then Monday and Tuesday (16 business hours).
    expect(out.times).toMatchObject({
      promisedAnswer: '2026-12-29T15:00:00.000+01:00',
      reminder: '2026-12-28T12:00:00.000+01:00',
      escalation: '2026-12-28T16:00:00.000+01:00',
    });
  });

  it('preview --no-png writes a template’s HTML and text and an index, without a browser', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'nachfass-preview-'));
    const { stdout } = await cli('preview', out, '--no-png', '--only', '^acknowledgment\\.');
    expect(stdout).toContain('2 mails and pages, 4 files');
    expect(await readFile(path.join(out, 'acknowledgment.en.txt'), 'utf8')).toMatch(
      /^Subject: \[Case M8TTV16PCN\] Re:/,
    );
    expect(await readFile(path.join(out, 'acknowledgment.de.html'), 'utf8')).toContain('lang="de"');
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('acknowledgment.de.txt');
    await rm(out, { recursive: true });
  });

  it('explains its usage and fails on an unknown command', async () => {
    await expect(cli('frobnicate', 'x.eml')).rejects.toMatchObject({ code: 2 });
  });
});
