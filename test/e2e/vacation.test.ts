/**
 * A real out-of-office reply: the supervisor's mailbox has a Sieve vacation script (Dovecot Pigeonhole on the
 * shared stack's LMTP), our approval request reaches it without `Auto-Submitted` and `X-Auto-Response-Suppress`,
 * Pigeonhole answers through Postfix into the support mailbox, intake hands the reply to the case, and the case
 * goes to the supervisor's deputy within seconds. The deputy's decision closes it; the history names both.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { parsePolicy } from '../../worker/policy.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, deliverViaLmtp, readFolder, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

const run = promisify(execFile);
const STACK = process.env.NACHFASS_STACK_DIR ?? path.join(PROJECT_ROOT, '.stack');

/** Gives `address` a Sieve vacation script (its mailbox must exist: Dovecot creates it on first delivery). */
async function vacationScript(address: string, text: string): Promise<void> {
  const [local, domain] = address.split('@') as [string, string];
  const home = path.join(STACK, 'mail', domain, local);
  mkdirSync(path.join(home, 'sieve'), { recursive: true });
  const script = [
    'require ["vacation"];',
    // A handle unique per run: Pigeonhole answers a sender once per :days and handle.
    `vacation :days 1 :handle "nachfass-${randomBytes(4).toString('hex')}" :subject "Abwesend" text:`,
    ...text.split('\n'),
    '.',
    ';',
    '',
  ].join('\n');
  writeFileSync(path.join(home, 'sieve', 'vacation.sieve'), script);
  symlinkSync('sieve/vacation.sieve', path.join(home, '.dovecot.sieve'));
  await run('chown', ['-R', 'mail:mail', home]);
}

describe('a real Sieve vacation reply', () => {
  const people = testPeople();
  const deputy = uniqueAddress('vertretung');
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const yaml = testPolicyYaml(people, {}, { supervisorDeputy: deputy });
    [app, browser] = await Promise.all([startTestApp(people, parsePolicy(yaml, 'vacation test')), launchBrowser()]);
    // The supervisor's mailbox exists once something was delivered to it; then they go on holiday.
    await deliverViaLmtp(
      'kollege@example.test',
      people.supervisor,
      `From: kollege@example.test\r\nTo: ${people.supervisor}\r\nSubject: Hallo\r\nMessage-ID: <hallo-${randomBytes(4).toString('hex')}@example.test>\r\n\r\nHallo\r\n`,
    );
    await vacationScript(
      people.supervisor,
      'Guten Tag,\n\nich bin bis zum 15.01.2099 nicht im Büro.\nIn dringenden Fällen: Thomas Vogel.',
    );
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('reroutes the waiting case to the deputy, whose decision closes it', async () => {
    const c = await openCase(app, people, people.customer, 'Rechnung doppelt abgebucht');
    const [toDeputy] = await waitForMail(
      deputy,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /Freigabe erbeten/.test(m.subject ?? ''),
      { timeoutMs: 30_000 },
    );
    expect(toDeputy!.text).toContain('Sabine Schulz ist abwesend');
    const state = await c.handle.query(caseStateQuery);
    expect(state.timeline.find((e) => e.event === 'auto-reply-received')?.detail).toMatch(/auto-replied \(vacation\)/);
    expect(state.delegated).toMatchObject({ from: people.supervisor, to: deputy, until: '2099-01-15T23:00:00.000Z' });

    const page = await browser.newPage();
    const link = decisionLink(toDeputy!);
    await page.goto(link);
    await page.check('input[value=approved]');
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');
    const done = await c.handle.query(caseStateQuery);
    expect(done.decision).toMatchObject({ decidedBy: deputy, level: 0 });
    const history = done.timeline.map((e) => `${e.event}: ${e.detail ?? ''}`).join('\n');
    expect(history).toMatch(/delegated: Sabine Schulz is away .*Thomas Vogel decides in their stead/);
    expect(history).toMatch(/decided: approved by Thomas Vogel in place of Sabine Schulz/);
    // The robot was not answered: the supervisor holds the greeting and the request, nothing of ours after it.
    const kinds = (await readFolder(people.supervisor)).map((m) => m.parsed.headers.get('x-nachfass-kind'));
    expect(kinds.filter(Boolean)).toEqual(['approval-request']);
  });
});
