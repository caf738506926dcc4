/** Sample reminder digests in both languages (preview and golden files), from the fixed sample case. Pure. */
import type { DigestEntry } from '../workflows/digest-model.js';
import type { MailDraft } from './layout.js';
import { reminderDigest } from './reminder-digest.js';
import { COMPANY, context, PEOPLE, TEXT } from './sample-case.js';

export interface DigestSample {
  /** File name stem, e.g. "reminder-digest.de". */
  name: string;
  draft: MailDraft;
}

/** Two cases due for the manager's reminder: one in time, one on its last reminder. */
function sample(l: 'de' | 'en'): MailDraft {
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

export function digestSamples(): DigestSample[] {
  return (['de', 'en'] as const).map((l) => ({ name: `reminder-digest.${l}`, draft: sample(l) }));
}
