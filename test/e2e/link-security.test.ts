/**
 * The link server under attack, on the real stack: mail scanners that open links, altered and forged
 * tokens, missing CSRF protection, malformed, replayed and racing form posts, and HTML in the customer's
 * mail. Each case is its own complaint (own customer mailbox), sent through Postfix and picked up by intake.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { WorkflowHandle } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { signLink, verifyLink, type LinkClaims } from '../../activities/links.js';
import { LINK_LIMITS } from '../../worker/link-server/limits.js';
import { startLinkServer } from '../../worker/link-server/server.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, readFolder, sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { freePort } from '../helpers/ports.js';

interface OpenCase {
  caseId: string;
  customer: string;
  link: string;
  /** The sealed claims of the real link (opened with the app's secret), to seal variants of it. */
  claims: LinkClaims;
  handle: WorkflowHandle;
}

/** An answer of the link server, read the way a test needs it. */
interface Answer {
  status: number;
  title: string | undefined;
  body: string;
  type: string | null;
  csp: string | null;
}

/** The CSRF cookie and form token a real browser gets from the GET. */
interface FormSession {
  cookie: string;
  csrf: string;
}

const INJECTION = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> "><b>bold</b>`;

async function answer(res: Response): Promise<Answer> {
  const body = await res.text();
  const title = /<h1>([^<]*)<\/h1>/.exec(body)?.[1];
  const [type, csp] = [res.headers.get('content-type'), res.headers.get('content-security-policy')];
  return { status: res.status, title, body, type, csp };
}

/** The same server and path with another token. */
function linkWith(c: OpenCase, token: string): string {
  return c.link.replace(/\/decide\/.*$/, `/decide/${token}`);
}

async function formSession(link: string): Promise<FormSession> {
  const res = await fetch(link);
  const page = await answer(res);
  expect(page.status, page.body).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('_csrf='));
  if (!csrf || !cookie) throw new Error('the decision page set no CSRF cookie or form token');
  return { cookie, csrf };
}

/** A form POST as a browser sends it; an encoded string allows repeated fields. */
async function post(link: string, fields: Record<string, string> | string, cookie?: string): Promise<Answer> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) };
  return answer(await fetch(link, { method: 'POST', headers, body: new URLSearchParams(fields), redirect: 'manual' }));
}

/** GET and a CSRF-valid POST of `link` are both refused with `status` and `title`, as an HTML page under the CSP. */
async function expectRefused(link: string, session: FormSession, status: number, title: string): Promise<void> {
  const shown = await answer(await fetch(link));
  expect([link.slice(-60), shown.status, shown.title]).toEqual([link.slice(-60), status, title]);
  expect(shown.type).toBe('text/html; charset=utf-8');
  expect(shown.csp).toContain("script-src 'none'");
  const posted = await post(link, { _csrf: session.csrf, outcome: 'approved' }, session.cookie);
  expect([link.slice(-60), posted.status, posted.title]).toEqual([link.slice(-60), status, title]);
}

/** A GET from another loopback address, which is another client to the link server (all of 127/8 is loopback). */
function getFrom(localAddress: string, url: string): Promise<{ status: number; title?: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const title = /<h1>([^<]*)<\/h1>/.exec(body)?.[1];
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, ...(title ? { title } : {}), ...(retryAfter ? { retryAfter } : {}) });
      });
    });
    req.on('error', reject);
  });
}

/** Internal texts a page must never show: the workflow's validator messages and the SDK's error names. */
const INTERNAL =
  /already open|a question to the customer|already being forwarded|WorkflowUpdate|ApplicationFailure|Error:/;

async function expectUndecided(c: OpenCase): Promise<void> {
  const state = await c.handle.query(caseStateQuery);
  expect(state.decision).toBeUndefined();
  expect(state.status).toBe('awaiting-decision');
  expect(state.timeline.map((e) => e.event)).not.toContain('decided');
}

describe('the decision link under attack', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(people, testPolicy(people)), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A fresh complaint by a fresh customer, up to the approval request in the supervisor's real mailbox. */
  async function openCase(
    subject = 'Paket beschädigt angekommen',
    text = 'Guten Tag,\n\ndas Paket kam zerdrückt an, die Vase darin ist zerbrochen. Bitte um Erstattung.\n\nJonas Becker',
  ): Promise<OpenCase> {
    const customer = uniqueAddress('kunde');
    const messageId = `<sicherheit-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({ from: `"Jonas Becker" <${customer}>`, to: people.support, subject, text, messageId });
    const [ack] = await waitForMail(customer, (m) => m.inReplyTo === messageId);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const [request] = await waitForMail(people.supervisor, (m) =>
      (m.subject ?? '').startsWith(`[Fall ${caseId}] Freigabe erbeten`),
    );
    const link = decisionLink(request!);
    const opened = verifyLink(app.config.linkSecret, link.split('/decide/')[1]!, Date.now());
    if (!opened.ok) throw new Error(`the mailed link does not open: ${opened.reason}`);
    const { claims } = opened;
    return { caseId, customer, link, claims, handle: app.client.workflow.getHandle(workflowIdFor(caseId)) };
  }

  it('shows the page to GET and HEAD (mail scanners) and decides nothing', async () => {
    const c = await openCase();
    for (let i = 0; i < 2; i += 1) {
      const page = await answer(await fetch(c.link, { redirect: 'follow' }));
      expect(page.status).toBe(200);
      expect(page.title).toBe(`Entscheidung zu Fall ${c.caseId}`);
      expect(page.body).toContain('die Vase darin ist zerbrochen');
    }
    const head = await fetch(c.link, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await head.text()).toBe('');
    await expectUndecided(c);
  });

  it('puts neither the case nor an address into the link: the token is sealed, and decodes to nothing readable', async () => {
    const c = await openCase();
    const token = c.link.split('/decide/')[1]!;
    const decoded = token
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join(' ');
    for (const text of [c.link, decoded]) {
      expect(text).not.toContain(c.caseId);
      for (const address of [people.supervisor, c.customer]) {
        expect(text.toLowerCase()).not.toContain(address.split('@')[0]!.toLowerCase());
        expect(text.toLowerCase()).not.toContain(address.split('@')[1]!.toLowerCase());
      }
    }
    // What it stands for is only known to whoever holds the key.
    expect(c.claims).toMatchObject({ c: c.caseId, a: people.supervisor, l: 0, p: 'decide' });
    // One bit changed anywhere in the sealed part: refused, for GET and POST.
    const session = await formSession(c.link);
    const [body, tag] = token.split('.') as [string, string];
    for (const i of [0, 12, Math.floor(Buffer.from(body, 'base64url').length / 2)]) {
      const bytes = Buffer.from(body, 'base64url');
      bytes[i] = bytes[i]! ^ 1;
      await expectRefused(
        linkWith(c, `${bytes.toString('base64url')}.${tag}`),
        session,
        400,
        'Dieser Link ist ungültig',
      );
    }
    await expectUndecided(c);
  });

  it('refuses altered, forged and malformed tokens with 400, for GET and POST', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const [body, sig] = c.link.split('/decide/')[1]!.split('.') as [string, string];
    const i = Math.floor(body.length / 2);
    const flipped = `${body.slice(0, i)}${body[i] === 'A' ? 'B' : 'A'}${body.slice(i + 1)}.${sig}`;
    const forged = signLink(randomBytes(32).toString('hex'), c.claims);
    // Correctly signed, but for another purpose than deciding.
    const otherPurpose = signLink(app.config.linkSecret, { ...c.claims, p: 'unsubscribe' } as unknown as LinkClaims);
    for (const token of [flipped, forged, otherPurpose, `${body}.${sig}.x`, 'kein-token', '%zz', 'a'.repeat(2000)]) {
      await expectRefused(linkWith(c, token), session, 400, 'Dieser Link ist ungültig');
    }
    await expectUndecided(c);
  });

  it('answers 404 for a correctly signed token of a case that does not exist', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const ghost = linkWith(c, signLink(app.config.linkSecret, { ...c.claims, c: 'ZZZZZZZZZZ' }));
    await expectRefused(ghost, session, 404, 'Fall nicht gefunden');
    // An address that is no link at all is a page too, never the framework's JSON.
    const nowhere = await answer(await fetch(`${ghost}/weiter`));
    expect([nowhere.status, nowhere.title]).toEqual([404, 'Seite nicht gefunden']);
    expect(nowhere.type).toBe('text/html; charset=utf-8');
    await expectUndecided(c);
  });

  it('answers 410 for an expired token, and POSTing it decides nothing', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const expired = signLink(app.config.linkSecret, { ...c.claims, x: Math.floor(Date.now() / 1000) - 60 });
    await expectRefused(linkWith(c, expired), session, 410, 'Dieser Link ist abgelaufen');
    await expectUndecided(c);
  });

  it('answers 403 for a correctly signed token of someone not on the ladder, and POSTing it decides nothing', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const stranger = signLink(app.config.linkSecret, { ...c.claims, a: uniqueAddress('fremd') });
    await expectRefused(linkWith(c, stranger), session, 403, 'Keine Berechtigung');
    await expectUndecided(c);
  });

  it('refuses a POST without CSRF cookie or token (403) or with a malformed form (400), then accepts the form', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const withoutCsrf: Array<[string, Record<string, string>, string | undefined]> = [
      ['neither', { outcome: 'approved' }, undefined],
      ['token without cookie', { _csrf: session.csrf, outcome: 'approved' }, undefined],
      ['cookie without token', { outcome: 'approved' }, session.cookie],
      ['cookie with a wrong token', { _csrf: `${session.csrf}x`, outcome: 'approved' }, session.cookie],
    ];
    for (const [what, fields, cookie] of withoutCsrf) {
      const refused = await post(c.link, fields, cookie);
      expect([what, refused.status, refused.title]).toEqual([what, 403, 'Formular abgelaufen']);
      expect(refused.body).toContain('Bitte öffnen Sie den Link aus der E-Mail erneut');
    }
    // With CSRF satisfied, only a well-formed form decides: a choice, no repeated fields, no JSON.
    const csrf = `_csrf=${encodeURIComponent(session.csrf)}`;
    for (const fields of [
      'noteToCustomer=x',
      'outcome=approved&outcome=rejected',
      'outcome=approved&noteToCustomer=a&noteToCustomer=b',
    ]) {
      const refused = await post(c.link, `${csrf}&${fields}`, session.cookie);
      expect([fields, refused.status, refused.title]).toEqual([fields, 400, 'Unvollständiges Formular']);
    }
    const json = await fetch(c.link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
      body: JSON.stringify({ outcome: 'approved' }),
    });
    expect(json.status).toBe(415);
    await expectUndecided(c);

    const fields = { _csrf: session.csrf, outcome: 'rejected', noteToCustomer: 'Leider nein.' };
    const done = await post(c.link, fields, session.cookie);
    expect([done.status, done.title]).toEqual([200, 'Entscheidung gespeichert']);
    expect((await c.handle.query(caseStateQuery)).decision).toMatchObject({
      outcome: 'rejected',
      decidedBy: people.supervisor,
      channel: 'link',
      noteToCustomer: 'Leider nein.',
    });
  });

  it('refuses the same form posted again with 409 naming who decided', async () => {
    const c = await openCase();
    const session = await formSession(c.link);
    const form = { _csrf: session.csrf, outcome: 'approved', noteToCustomer: 'Wir erstatten den Kaufpreis.' };
    expect((await post(c.link, form, session.cookie)).status).toBe(200);
    for (const outcome of ['approved', 'rejected']) {
      const replay = await post(c.link, { ...form, outcome }, session.cookie);
      expect([replay.status, replay.title]).toEqual([409, 'Bereits entschieden']);
      // With how it was decided and proven (the case page shows the evidence).
      expect(replay.body).toMatch(
        /bereits von Sabine Schulz am .+ entschieden \(genehmigt, über den Entscheidungslink; Nachweis: der persönliche Entscheidungslink\)/,
      );
    }
    // Opening the link again shows the same terminal page.
    expect((await answer(await fetch(c.link))).status).toBe(409);
    expect((await c.handle.query(caseStateQuery)).decision?.outcome).toBe('approved');
  });

  it('lets exactly one of two racing posts decide, and the customer gets one decision mail', async () => {
    const c = await openCase();
    const [a, b] = await Promise.all([formSession(c.link), formSession(c.link)]);
    const [approve, reject] = await Promise.all([
      post(c.link, { _csrf: a.csrf, outcome: 'approved', noteToCustomer: 'Genehmigt.' }, a.cookie),
      post(c.link, { _csrf: b.csrf, outcome: 'rejected', noteToCustomer: 'Abgelehnt.' }, b.cookie),
    ]);
    expect([approve.status, reject.status].sort()).toEqual([200, 409]);
    const winner = approve.status === 200 ? 'approved' : 'rejected';
    expect((approve.status === 200 ? reject : approve).title).toBe('Bereits entschieden');
    expect((await c.handle.query(caseStateQuery)).decision?.outcome).toBe(winner);

    const [decision] = await waitForMail(c.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain(winner === 'approved' ? 'Genehmigt.' : 'Abgelehnt.');
    // The follow-up is sent after the decision mail: once it is there, every decision mail is too.
    await waitForMail(c.customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));
    const subjects = (await readFolder(c.customer)).map((m) => m.parsed.subject ?? '');
    expect(subjects.filter((s) => s.startsWith(`[Fall ${c.caseId}] Entscheidung:`))).toHaveLength(1);
  });

  it('answers 429 to a client after LINK_LIMITS.failures.max links that fail to open, and only to that client', async () => {
    const c = await openCase();
    const prober = '127.0.0.3';
    const forged = linkWith(c, signLink(randomBytes(32).toString('hex'), c.claims));
    for (let i = 0; i < LINK_LIMITS.failures.max; i += 1) {
      expect([i, (await getFrom(prober, forged)).status]).toEqual([i, 400]);
    }
    const blocked = await getFrom(prober, forged);
    expect([blocked.status, blocked.title]).toEqual([429, 'Zu viele Versuche']);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    // Every link is closed to that client for the window, the genuine one too; another client is not affected.
    expect((await getFrom(prober, c.link)).status).toBe(429);
    expect((await getFrom('127.0.0.5', c.link)).status).toBe(200);
    await expectUndecided(c);
  });

  it('answers 429 to a client past LINK_LIMITS.requests.max page requests in a window', async () => {
    const c = await openCase();
    const client = '127.0.0.4';
    for (let i = 0; i < LINK_LIMITS.requests.max; i += 1) {
      expect([i, (await getFrom(client, c.link)).status]).toEqual([i, 200]);
    }
    const blocked = await getFrom(client, c.link);
    expect([blocked.status, blocked.title]).toEqual([429, 'Zu viele Versuche']);
    expect((await getFrom('127.0.0.6', c.link)).status).toBe(200);
    await expectUndecided(c);
  });

  it('keeps two open decision pages valid in one browser: opening the second does not void the first form', async () => {
    const [first, second] = [await openCase(), await openCase()];
    const notes = ['Wir erstatten den Kaufpreis (erste Seite).', 'Wir senden Ersatz (zweite Seite).'];
    const context = await browser.newContext();
    try {
      // As from webmail: a click on another site's page, so the browser treats the navigation as cross-site.
      const open = async (link: string) => {
        const page = await context.newPage();
        await page.setContent(`<a href="${link}">Zur Entscheidung</a>`);
        await Promise.all([page.waitForURL(link), page.click('a')]);
        expect(await page.textContent('h1')).toContain('Entscheidung zu Fall');
        return page;
      };
      const pages = [await open(first.link), await open(second.link)];
      for (const [i, page] of pages.entries()) {
        await page.check('input[name="outcome"][value="approved"]');
        await page.fill('#noteToCustomer', notes[i]!);
      }
      for (const page of pages) {
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.click('button[type="submit"]'),
        ]);
        expect([res.status(), await page.textContent('h1')]).toEqual([200, 'Entscheidung gespeichert']);
      }
    } finally {
      await context.close();
    }
    for (const [i, c] of [first, second].entries()) {
      const decision = (await c.handle.query(caseStateQuery)).decision;
      expect(decision).toMatchObject({ outcome: 'approved', noteToCustomer: notes[i] });
    }
  });

  it('sends neither HSTS nor upgrade-insecure-requests over http, and both for an https PUBLIC_URL', async () => {
    const c = await openCase();
    const plain = await fetch(c.link);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    expect(plain.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(plain.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
    const tls = await startLinkServer({
      client: app.client,
      linkSecret: app.config.linkSecret,
      timeZone: 'Europe/Berlin',
      host: '127.0.0.1',
      port: await freePort(),
      publicUrl: 'https://links.example.test',
      language: 'de',
    });
    try {
      const res = await fetch(`${tls.url}/decide/${c.link.split('/decide/')[1]!}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
      expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    } finally {
      await tls.app.close();
    }
  });

  it("answers a POST the workflow refuses in the page's own words, never with an internal error text", async () => {
    const c = await openCase();
    const [one, two] = [await formSession(c.link), await formSession(c.link)];
    const ask = (s: FormSession, question: string) =>
      post(c.link, { _csrf: s.csrf, outcome: 'info', noteToCustomer: question }, s.cookie);
    const asked = await ask(one, 'Welche Bestellnummer hatte die Lieferung?');
    expect([asked.status, asked.title]).toEqual([200, 'Rückfrage an den Kunden gesendet']);
    // The second page still offers the question; the workflow's validator refuses it.
    const again = await ask(two, 'Und an welche Adresse ging sie?');
    expect([again.status, again.title]).toEqual([409, 'Rückfrage bereits offen']);
    expect(again.body).not.toMatch(INTERNAL);
    expect((await c.handle.query(caseStateQuery)).decision).toBeUndefined();
  });

  it('shows HTML and script from the complaint as text, under a CSP without scripts', async () => {
    const c = await openCase(`Beschwerde ${INJECTION}`, `Guten Tag,\n\n${INJECTION}\n\nGrüße`);
    const page = await browser.newPage();
    try {
      const res = await page.goto(c.link);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toMatch(/(^|;)\s*script-src 'none'\s*(;|$)/);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.textContent('blockquote')).toContain(INJECTION);
      expect(await page.textContent('body')).toContain('<script>window.__pwned=1</script>');
      expect(await page.locator('dd', { hasText: `Beschwerde ${INJECTION}` }).count()).toBe(1);
      expect(await page.locator('blockquote b').count()).toBe(0);
      expect(await page.locator('main script, main img, main b').count()).toBe(0);
    } finally {
      await page.close();
    }
    await expectUndecided(c);
  });
});
