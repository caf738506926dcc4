/**
 * The fixture corpus (test/fixtures/mail, several captured from the real local stack: a Postfix bounce,
 * a Sieve vacation reply) through intake's own parsing and classification.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../activities/intake/classify.js';
import { detectLanguage } from '../../activities/intake/language.js';
import { mailFacts } from '../../activities/intake/mail-facts.js';
import { parseRaw, summarize } from '../../activities/intake/parse.js';
import { PROJECT_ROOT } from '../../worker/config.js';

interface Expected {
  kind: string;
  caseId?: string;
  seq?: number;
  language?: string;
  subjectContains?: string;
  textContains?: string | string[];
  attachments?: Array<{ filename: string; contentType: string }>;
}

const dir = path.join(PROJECT_ROOT, 'test/fixtures/mail');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
const ctx = { ourDomain: 'example.test', ourAddresses: ['support@example.test'] };

describe('fixture corpus', () => {
  it('every .eml has an expectation and every expectation a file', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it.each(Object.entries(expected))('%s', async (file, want) => {
    const parsed = await parseRaw(readFileSync(path.join(dir, file)));
    const verdict = classify(mailFacts(parsed), ctx);
    expect({ kind: verdict.kind, caseId: verdict.caseId }).toEqual({ kind: want.kind, caseId: want.caseId });
    if (want.seq !== undefined) expect(verdict.seq).toBe(want.seq);
    const summary = summarize(parsed);
    if (want.subjectContains) expect(summary.subject).toContain(want.subjectContains);
    const flat = (t: string): string => t.replace(/\s+/g, ' ');
    for (const t of [want.textContains ?? []].flat()) expect(flat(summary.text)).toContain(flat(t));
    if (want.language && verdict.kind !== 'quarantine') {
      expect(detectLanguage(summary.contentLanguage, `${summary.subject}\n${summary.text}`, 'de').language).toBe(
        want.language,
      );
    }
    for (const a of want.attachments ?? []) expect(summary.attachments).toContainEqual(expect.objectContaining(a));
  });
});
