import { describe, expect, it } from 'vitest';
import { parseMailDecision } from '../../workflows/mail-decision.js';

describe('parseMailDecision', () => {
  it.each([
    ['GENEHMIGT', { ok: true, outcome: 'approved' }],
    [
      'genehmigt.\nWir erstatten den vollen Preis.',
      { ok: true, outcome: 'approved', note: 'Wir erstatten den vollen Preis.' },
    ],
    ['\n\nAbgelehnt: Frist abgelaufen', { ok: true, outcome: 'rejected', note: 'Frist abgelaufen' }],
    ['APPROVED - full refund', { ok: true, outcome: 'approved', note: 'full refund' }],
    ['Rejected', { ok: true, outcome: 'rejected' }],
  ])('%j', (text, expected) => {
    expect(parseMailDecision(text)).toEqual(expected);
  });

  it.each([
    ['Vielleicht, ich rufe an', /first line/],
    ['', /empty/],
    ['Ich habe das genehmigt', /first line/],
    ['GENEHMIGT\nABGELEHNT', /both/],
    ['Genehmigt oder abgelehnt?', /both/],
  ])('refuses to guess: %j', (text, reason) => {
    const r = parseMailDecision(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
