/**
 * The README's daily lists in a real browser: the links of worker/list-queries.ts, on the run's dev-server Web UI
 * instead of the demo's, open the filtered list in Chromium and show the case that belongs there. A P1 case
 * escalated to management is in "cases waiting for management"; once no worker runs it and its promise passes
 * unrenewed, it is in "overdue P1 cases" too.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { LIST_QUERIES, listClock, listUrl, type ListQuery } from '../../worker/list-queries.js';
import { DueAtKey } from '../../workflows/search-attributes.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

const list = (id: string): ListQuery => LIST_QUERIES.find((l) => l.id === id)!;
/** The test policy's company zone: "this week" is counted there. */
const ZONE = 'Europe/Berlin';

describe('the daily lists open the filtered Web UI list', () => {
  const people = testPeople();
  let app: TestApp | undefined;
  let browser: Browser;

  beforeAll(async () => {
    // Escalated to the manager after 2 s; the promise after 15 s (renewed while a worker runs the case).
    const policy = testPolicy(people, { escalateAfter: '2s', reminderAfter: '1h', answerPromise: '15s' });
    [app, browser] = await Promise.all([startTestApp(people, policy), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Opens `url` in Chromium and waits until the Web UI's list shows `workflowId`. */
  async function listShows(page: Page, url: string, workflowId: string): Promise<void> {
    await page.goto(url);
    await page.getByText(workflowId, { exact: true }).first().waitFor({ timeout: 60_000 });
  }

  it('finds an escalated P1 case among those waiting for management, and overdue once nobody runs it', async () => {
    const running = app!;
    const c = await openCase(running, people, `"Erika Müller" <${people.customer}>`, 'Toaster defekt', {
      text: 'Guten Tag,\n\nich möchte sofort eine Erstattung.\n',
    });
    await waitForMail(people.manager, (m) => m.headers.get('x-nachfass-case') === c.caseId);
    const workflowId = workflowIdFor(c.caseId);
    const ours = (query: string) => `${query} AND WorkflowId = '${workflowId}'`;
    const found = async (query: string): Promise<number> => (await running.client.workflow.count(ours(query))).count;
    const clock = () => listClock(new Date(), ZONE);

    // Visibility first (it lags the workflow a moment): the server takes each list's query, and only the right one
    // holds the case.
    const management = list('waiting-for-management');
    await eventually('the escalation in visibility', async () =>
      (await found(management.query(clock()))) === 1 ? true : undefined,
    );
    expect(await found(list('low-ratings-this-week').query(clock()))).toBe(0);
    expect(await found(list('overdue-p1').query(clock()))).toBe(0);

    const page = await browser.newPage();
    await listShows(page, listUrl(inject('temporalUiUrl'), 'default', management.query(clock())), workflowId);

    // No worker runs the case any more: its promised time passes without the progress update that renews it.
    const due = (await c.handle.describe()).typedSearchAttributes.get(DueAtKey);
    expect(due).toBeInstanceOf(Date);
    await running.stop();
    app = undefined;
    await new Promise((r) => setTimeout(r, Math.max(due!.getTime() + 1_000 - Date.now(), 0)));
    await listShows(page, listUrl(inject('temporalUiUrl'), 'default', list('overdue-p1').query(clock())), workflowId);
    await page.close();
  });
});
