/**
 * Payload encryption on the real stack: what Temporal stores of a case (inputs, activity inputs, memo,
 * updates) is sealed, the app itself reads the case as usual, and the Web UI's codec endpoint opens payloads
 * for the trusted UI origin only: the real Web UI of the run's dev server, in Chromium, shows the case in clear.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { ENCRYPTED_ENCODING } from '../../worker/codec.js';
import { caseStateQuery, decideUpdate } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';

const { temporal } = proto;
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

    // The Web UI's codec endpoint: a preflight and a decode from the trusted origin work, others are refused.
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
    const preflight = await fetch(`${app.codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    const decoded = await fetch(`${app.codecUrl}/decode`, {
      method: 'POST',
      headers: { origin: UI, 'content-type': 'application/json', 'x-namespace': 'default' },
      body,
    });
    expect(decoded.status).toBe(200);
    const out = (await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toContain(marker);
    const stranger = await fetch(`${app.codecUrl}/decode`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body,
    });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).not.toContain(marker);

    // The Temporal Web UI, in Chromium, shows the case's input in clear through the codec endpoint.
    const page = await browser.newPage();
    const decodes: number[] = [];
    page.on('response', (r) => r.url().startsWith(`${app.codecUrl}/decode`) && decodes.push(r.status()));
    await page.goto(`${inject('temporalUiUrl')}/namespaces/default/workflows/${workflowIdFor(caseId)}`);
    await page.getByText(marker).first().waitFor({ timeout: 30_000 });
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((s) => s === 200)).toBe(true);
  });
});
