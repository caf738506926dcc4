/**
 * Golden files: every mail template in both languages, rendered from templates/samples.ts, must match
 * test/golden/NAME.txt (subject and text part) and NAME.html (the HTML part, formatted for readable diffs); the
 * link server's pages likewise (page-*.html).
 * A template change shows up here as a diff; after checking it, accept it with `npx vitest run -u`.
 */
import { pretty } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import { renderCaseMail } from '../../templates/index.js';
import { mailSamples, pageSamples } from '../../templates/samples.js';

const samples = mailSamples();

describe('every template, German and English', () => {
  it('has samples for every kind of mail in both languages', () => {
    const kinds = new Set(samples.map((s) => `${s.request.kind}.${s.request.case.language}`));
    const all = [
      'acknowledgment',
      'progress-update',
      'info-request',
      'info-reminder',
      'decision',
      'withdrawal-confirmation',
      'follow-up',
      'feedback-thanks',
      'low-rating-message',
      'approval-request',
      'reminder',
      'escalation',
      'review-request',
      'customer-reply',
      'bounce-notice',
      'mail-decision-unclear',
      'info-timeout',
      'case-withdrawn',
      'low-rating',
      'low-rating-reminder',
      'low-rating-overdue',
      'decision-receipt',
    ];
    for (const kind of all) for (const l of ['de', 'en']) expect(kinds, `${kind}.${l}`).toContain(`${kind}.${l}`);
  });

  it.each(samples.map((s) => [s.name, s] as const))('%s matches its golden files', async (name, s) => {
    const mail = await renderCaseMail(s.request, s.links);
    await expect(`Subject: ${mail.subject}\n\n${mail.text}`).toMatchFileSnapshot(`../golden/${name}.txt`);
    await expect(await pretty(mail.html)).toMatchFileSnapshot(`../golden/${name}.html`);
  });

  it.each(pageSamples().map((p) => [p.name, p] as const))(
    '%s (link server page) matches its golden file',
    async (name, p) => {
      await expect(await pretty(p.html)).toMatchFileSnapshot(`../golden/${name}.html`);
    },
  );
});
