/** The reminder digest mail in both languages: golden files test/golden/reminder-digest.{de,en}.{txt,html}. */
import { pretty } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import { renderDraft } from '../../templates/layout.js';
import { reminderDigest } from '../../templates/reminder-digest.js';
import { COMPANY, context, PEOPLE, TEXT } from '../../templates/sample-case.js';
import type { DigestEntry } from '../../workflows/digest-model.js';

function sample(l: 'de' | 'en') {
  const c = context(l);
  const entry = (
    caseId: string,
    subject: string,
    promisedBy: string,
    extra: Partial<DigestEntry> = {},
  ): DigestEntry => ({
    caseId,
    level: 1,
    priority: 'P2',
    subject,
    customer: c.customer.name ?? c.customer.address,
    promisedBy,
    reminder: 1,
    top: true,
    at: '2026-11-25T09:00:00.000Z',
    ...extra,
  });
  const entries = [
    entry('Z2C8N5T1WB', l === 'de' ? 'Lieferung überfällig' : 'Delivery late', '2026-11-27T10:00:00.000Z', {
      customer: 'paket@example.test',
    }),
    entry(c.caseId, TEXT[l].subject, c.promisedBy, { priority: 'P1', reminder: 5, last: true }),
  ];
  const decide = Object.fromEntries(
    entries.map((e) => [e.caseId, `https://nachfass.example.test/decide/${e.caseId}.TOKEN`]),
  );
  return reminderDigest(
    { approver: PEOPLE[l].manager, key: 'abc', mailId: 'run.1', entries, company: COMPANY },
    { decide, queue: 'https://nachfass.example.test/queue/SAMPLE.TOKEN' },
  );
}

describe('the reminder digest', () => {
  it.each(['de', 'en'] as const)('%s matches its golden files, soonest due first', async (l) => {
    const mail = await renderDraft(sample(l));
    expect(mail.text.indexOf('M8TTV16PCN')).toBeLessThan(mail.text.indexOf('Z2C8N5T1WB'));
    await expect(`Subject: ${mail.subject}\n\n${mail.text}`).toMatchFileSnapshot(`../golden/reminder-digest.${l}.txt`);
    await expect(await pretty(mail.html)).toMatchFileSnapshot(`../golden/reminder-digest.${l}.html`);
  });
});
