/**
 * Deputies on the real stack: staff mails no longer tell vacation responders to stay silent, so the supervisor's
 * out-of-office reply (as Dovecot's Sieve vacation writes it, recorded in test/fixtures/mail) reaches intake by
 * SMTP; it is answered by nobody, and the case goes to the supervisor's deputy at once. The deputy decides on
 * the page of their own link, the customer gets the decision, and the history names both people.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { parsePolicy } from '../../worker/policy.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startAppWithEnv, testEnv, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, readFolder, sendRawViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

const run = promisify(execFile);

describe('a vacation reply hands the case to the deputy', () => {
  const people = testPeople();
  const deputy = uniqueAddress('vertretung');
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const yaml = testPolicyYaml(people, {}, { supervisorDeputy: deputy });
    [app, browser] = await Promise.all([
      startAppWithEnv(await testEnv(people), parsePolicy(yaml, 'deputy test')),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('reroutes at once on the supervisor’s auto-reply; the deputy’s decision closes the case', async () => {
    const c = await openCase(app, people, people.customer, 'Rechnung doppelt abgebucht');
    const other = await openCase(app, people, people.customer, 'Paket nie angekommen');
    // Staff mails invite a vacation reply; customer mails still ask robots to stay silent.
    expect(c.request.headers.get('auto-submitted')).toBeUndefined();
    expect(c.request.headers.get('x-auto-response-suppress')).toBeUndefined();
    expect(c.ack.headers.get('auto-submitted')).toBe('auto-replied');

    const requestId = c.request.messageId!;
    const vacation = [
      `From: <${people.supervisor}>`,
      `To: ${people.support}`,
      `Subject: Auto: ${c.request.subject}`,
      `Message-ID: <dovecot-sieve-${randomBytes(4).toString('hex')}@vm>`,
      `Date: ${new Date().toUTCString()}`,
      `In-Reply-To: <${requestId.replace(/^<|>$/g, '')}>`,
      `References: <${requestId.replace(/^<|>$/g, '')}>`,
      'Auto-Submitted: auto-replied (vacation)',
      'Precedence: bulk',
      'X-Auto-Response-Suppress: All',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Guten Tag,',
      '',
      'ich bin bis zum 15.01.2099 nicht im Büro und habe keinen Zugriff auf meine E-Mails.',
      '',
    ].join('\r\n');
    await sendRawViaSmtp('', people.support, vacation);

    const [toDeputy] = await waitForMail(
      deputy,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /Freigabe erbeten/.test(m.subject ?? ''),
      { timeoutMs: 30_000 },
    );
    expect(toDeputy!.text).toContain('Sabine Schulz ist abwesend');
    const state = await c.handle.query(caseStateQuery);
    expect(state.level).toBe(0);
    expect(state.delegated).toMatchObject({
      from: people.supervisor,
      to: deputy,
      toName: 'Thomas Vogel',
      until: '2099-01-15T23:00:00.000Z', // the return date the reply names
    });
    // One reply (Sieve answers a sender once a day) reroutes every case waiting for the supervisor.
    await waitForMail(
      deputy,
      (m) => m.headers.get('x-nachfass-case') === other.caseId && /Freigabe erbeten/.test(m.subject ?? ''),
      { timeoutMs: 30_000 },
    );
    expect((await other.handle.query(caseStateQuery)).delegated).toMatchObject({ to: deputy });

    // The deputy decides on their own link's page.
    const page = await browser.newPage();
    const link = decisionLink(toDeputy!);
    await page.goto(link);
    // The case's page records it too.
    expect(await page.textContent('main')).toMatch(/Vertretung \(Sabine Schulz is away/);
    await page.check('input[value=approved]');
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');
    await waitForMail(
      people.customer,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /Entscheidung/.test(m.subject ?? ''),
    );

    const done = await c.handle.query(caseStateQuery);
    expect(done.decision).toMatchObject({ decidedBy: deputy, level: 0, channel: 'link' });
    const history = done.timeline.map((e) => `${e.event}: ${e.detail ?? ''}`).join('\n');
    expect(history).toMatch(
      /delegated: Sabine Schulz is away \(auto-reply of .*, until 2099-01-15.*\); Thomas Vogel decides/,
    );
    expect(history).toMatch(/decided: approved by Thomas Vogel in place of Sabine Schulz/);
    // Away until the date the reply named: a complaint arriving now asks the deputy straight away.
    const later = await openCase(app, people, people.customer, 'Gutschein fehlt', { approver: deputy });
    expect((await later.handle.query(caseStateQuery)).delegated).toMatchObject({
      from: people.supervisor,
      until: '2099-01-15T23:00:00.000Z',
    });
    // Nobody answered the robot: the supervisor holds only the request.
    const supervisorMail = (await readFolder(people.supervisor)).map((m) => m.parsed);
    expect(
      supervisorMail
        .filter((m) => m.headers.get('x-nachfass-case') === c.caseId)
        .map((m) => m.headers.get('x-nachfass-kind')),
    ).toEqual(['approval-request']);
  });
});

describe('an admin declares the supervisor absent', () => {
  const people = testPeople();
  const deputy = uniqueAddress('vertretung');
  let app: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = await testEnv(people);
    app = await startAppWithEnv(env, parsePolicy(testPolicyYaml(people, {}, { supervisorDeputy: deputy }), 'absent'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('`nachfass absent` hands every case waiting for the supervisor to the deputy', async () => {
    const c = await openCase(app, people, people.customer, 'Falsche Größe geliefert');
    const { stdout } = await run(
      process.execPath,
      [path.join(PROJECT_ROOT, 'bin/nachfass.js'), 'absent', people.supervisor, '--until', '2099-12-31T18:00:00Z'],
      { env: { ...process.env, ...env } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ address: people.supervisor, casesTold: 1 });
    await waitForMail(
      deputy,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /Freigabe erbeten/.test(m.subject ?? ''),
      { timeoutMs: 30_000 },
    );
    expect((await c.handle.query(caseStateQuery)).delegated).toMatchObject({
      to: deputy,
      reason: 'declared absent by an admin',
      until: '2099-12-31T18:00:00.000Z',
    });
  });
});
