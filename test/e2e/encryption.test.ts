/**
 * Payload encryption on the real stack: what Temporal stores of a case (inputs, activity inputs, memo,
 * updates, failures) is sealed, the app itself reads the case as usual, and the Web UI's codec endpoint opens
 * payloads only for a caller with the codec credential: the real Web UI of the run's dev server, in Chromium,
 * shows the case in clear once the browser has logged in at the codec endpoint.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { ENCRYPTED_ENCODING } from '../../worker/codec.js';
import { ErrorCode } from '../../workflows/error-codes.js';
import { caseStateQuery, decideUpdate } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';

const { temporal } = proto;
const { EventType } = temporal.api.enums.v1;
const UI = 'http://ui.example.test';
const b64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('base64');

describe('payload encryption', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // The run's dev server has its Web UI point at this port (test/global-setup.ts).
    [app, browser] = await Promise.all([
      startTestApp(people, testPolicy(people), {
        CODEC_PORT: String(inject('codecPort')),
        CODEC_CORS_ORIGINS: `${UI},${new URL(inject('temporalUiUrl')).origin}`,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('seals the complaint in history; the app reads it; the codec endpoint opens it for the Web UI only', async () => {
    const marker = `Seriennummer-${randomBytes(6).toString('hex')}`;
    const messageId = `<enc-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: `"Erika Müller" <${people.customer}>`,
      to: people.support,
      subject: 'Toaster defekt',
      text: `Guten Tag,\n\nmein Toaster (${marker}) ist defekt.\n\nErika Müller`,
      messageId,
    });
    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    await handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor, noteToCustomer: `Erstattet (${marker}).` }],
    });
    // The app's own client opens what it sealed.
    expect((await handle.query(caseStateQuery)).text).toContain(marker);

    // What the server stores: no trace of the complaint, the customer's address or the note in clear.
    const raw = new Client({ connection: app.client.connection, namespace: app.config.temporal.namespace });
    const history = await raw.workflow.getHandle(workflowIdFor(caseId)).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(marker)).toBe(false);
    expect(bytes.includes(people.customer)).toBe(false);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    const memo = started?.memo?.fields?.subject;
    expect(Buffer.from(memo?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);

    // The Web UI's codec endpoint: nothing is decoded without the credential, whatever the Origin says.
    const body = JSON.stringify({
      payloads: [
        {
          metadata: {
            encoding: b64(input?.metadata?.encoding),
            'encryption-key-id': b64(input?.metadata?.['encryption-key-id']),
          },
          data: b64(input?.data),
        },
      ],
    });
    const decode = (headers: Record<string, string>) =>
      fetch(`${app.codecUrl}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
        body,
      });
    const token = app.config.codec!.token.toString('hex');
    for (const [what, headers] of [
      ['like curl: no Origin, no credentials', {}],
      ['from the trusted origin without credentials', { origin: UI }],
      ['with a wrong token', { authorization: `Bearer ${randomBytes(32).toString('hex')}` }],
    ] as const) {
      const refused = await decode(headers);
      expect(refused.status, what).toBe(401);
      expect(await refused.text(), what).not.toContain(marker);
    }
    const preflight = await fetch(`${app.codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    const decoded = await decode({ authorization: `Bearer ${token}` });
    expect(decoded.status).toBe(200);
    const out = (await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toContain(marker);
    const stranger = await decode({ origin: 'http://evil.example', authorization: `Bearer ${token}` });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).not.toContain(marker);
    // /encode stays for the Web UI's signal form, behind the same credential.
    const encode = await fetch(`${app.codecUrl}/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(encode.status).toBe(401);

    // The Temporal Web UI, in Chromium: without a login its decode requests are refused ...
    const context = await browser.newContext();
    const caseUrl = `${inject('temporalUiUrl')}/namespaces/default/workflows/${workflowIdFor(caseId)}`;
    const before = await context.newPage();
    const [firstDecode] = await Promise.all([
      before.waitForResponse((r) => r.url().startsWith(`${app.codecUrl}/decode`) && r.request().method() === 'POST'),
      before.goto(caseUrl),
    ]);
    expect(firstDecode.status()).toBe(401);
    await before.close();
    // ... after the login page of the codec endpoint (a SameSite=Strict cookie) and the UI's own setting to send
    // credentials (what its Codec Server dialog stores: browser setting, endpoint, include credentials), it
    // shows the case in clear.
    const login = await context.newPage();
    await login.goto(`${app.codecUrl}/login`);
    await login.getByLabel('token').fill(token);
    await login.getByRole('button', { name: 'Log in' }).click();
    await login.getByText('Logged in').waitFor();
    // A script string: the test's TypeScript has no DOM types, the page has.
    const settings = { overrideRemoteCodecConfiguration: true, endpoint: app.codecUrl, includeCredentials: true };
    await context.addInitScript(
      `if (location.origin === ${JSON.stringify(new URL(inject('temporalUiUrl')).origin)}) {` +
        Object.entries(settings)
          .map(([k, v]) => `localStorage.setItem(${JSON.stringify(k)}, ${JSON.stringify(JSON.stringify(v))});`)
          .join('') +
        '}',
    );
    const page = await context.newPage();
    const decodes: number[] = [];
    page.on('response', (r) => r.url().startsWith(`${app.codecUrl}/decode`) && decodes.push(r.status()));
    await page.goto(caseUrl);
    await page.getByText(marker).first().waitFor({ timeout: 30_000 });
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((s) => s === 200)).toBe(true);
    await context.close();
  });

  it('seals an SMTP refusal in history; the workflow still sees its type and records it', async () => {
    // Port 2525 of the local Postfix refuses recipients in nouser.example.test (550 5.1.1, naming the address).
    const customer = `kunde-${randomBytes(4).toString('hex')}@nouser.example.test`;
    const marker = `Auftrag-${randomBytes(6).toString('hex')}`;
    await sendViaSmtp({
      from: customer,
      to: people.support,
      subject: 'Paket fehlt',
      text: `Mein Paket (${marker}) fehlt.`,
    });
    const [request] = await waitForMail(people.supervisor, (m) => (m.text ?? '').includes(marker));
    const caseId = String(request!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    // The workflow branched on ApplicationFailure.type === SmtpRejected and kept the refusal's text.
    const state = await handle.query(caseStateQuery);
    const refused = state.timeline.find((e) => e.event === 'mail:acknowledgment:refused');
    expect(refused?.detail).toContain(customer);
    expect(refused?.detail).toMatch(/550/);
    expect(state.customerUnreachable).toBeDefined();

    const raw = new Client({ connection: app.client.connection, namespace: app.config.temporal.namespace });
    const history = await raw.workflow.getHandle(workflowIdFor(caseId)).fetchHistory();
    // The mail went out by local activity: its failure is recorded in its marker (an activity's in ActivityTaskFailed).
    const failed = history.events?.find(
      (e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.failure,
    );
    const failure = failed?.markerRecordedEventAttributes?.failure;
    expect(failure?.applicationFailureInfo?.type).toBe(ErrorCode.SmtpRejected);
    expect(failure?.applicationFailureInfo?.nonRetryable).toBe(true);
    expect(failure?.message).not.toContain(customer);
    expect(Buffer.from(failure?.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(customer)).toBe(false);
    expect(bytes.includes(customer.split('@')[0]!)).toBe(false);
    expect(bytes.includes(marker)).toBe(false);
  });
});
