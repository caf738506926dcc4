import { describe, expect, it } from 'vitest';
import { assess } from '../../workflows/rules/assessment.js';

const rules = {
  urgencyKeywords: ['sofort', 'Anwalt', 'urgent'],
  impactKeywords: ['Erstattung', 'alle Kunden', 'refund'],
};

describe('assess (urgency × impact → priority)', () => {
  it.each([
    ['Bitte sofort melden, sonst Anwalt', 'Ich will eine Erstattung', 'high', 'high', 'P1'],
    ['SOFORT', 'nichts weiter', 'high', 'low', 'P2'],
    ['Frage', 'Das betrifft alle Kunden', 'low', 'high', 'P3'],
    ['Frage zur Rechnung', 'Wann kommt sie?', 'low', 'low', 'P4'],
    ['Urgent: refund please', '', 'high', 'high', 'P1'],
  ])('%s / %s → %s × %s = %s', (subject, text, urgency, impact, priority) => {
    const a = assess({ subject, text }, rules);
    expect(a).toMatchObject({ urgency, impact, priority });
  });

  it('records which rules fired, and says so when none did', () => {
    expect(assess({ subject: 'sofort', text: 'Erstattung' }, rules).reasons).toEqual([
      'urgency: "sofort"',
      'impact: "Erstattung"',
    ]);
    expect(assess({ subject: 'Hallo', text: '' }, rules).reasons).toEqual(['no rule fired: standard handling']);
  });
});

describe('supersededBy (escalation ladder)', () => {
  it('supersedes lower levels only', async () => {
    const { supersededBy } = await import('../../workflows/ladder.js');
    const a = (level: number) => ({
      level,
      role: `L${level}`,
      name: `N${level}`,
      address: `l${level}@x`,
      language: 'de' as const,
    });
    const ladder = [a(0), a(1), a(2)];
    expect(supersededBy(ladder, 0, a(0))).toBeUndefined();
    expect(supersededBy(ladder, 1, a(0))).toEqual(a(1));
    expect(supersededBy(ladder, 1, a(2))).toBeUndefined();
    expect(supersededBy(ladder, 2, a(1))).toEqual(a(2));
  });
});

describe('VIP senders and amounts of money', () => {
  const r = { ...rules, vipSenders: ['@grosskunde.example', 'chefin@firma.example'], amountThreshold: 500 };
  it.each([
    ['499 €', 499],
    ['€ 1.200,50', 1200.5],
    ['insgesamt 2.392,00 EUR und 10 €', 2392],
    ['300 Euro', 300],
    ['USD 99', undefined],
  ])('largestAmount(%j) = %s', async (text, expected) => {
    const { largestAmount } = await import('../../workflows/rules/assessment.js');
    expect(largestAmount(text)).toBe(expected);
  });
  it('a VIP domain makes a complaint urgent and of high impact', () => {
    const a = assess({ subject: 'Frage', text: 'Hallo', customer: { address: 'einkauf@grosskunde.example' } }, r);
    expect(a).toMatchObject({ priority: 'P1' });
    expect(a.reasons).toContain('urgency: VIP sender @grosskunde.example');
  });
  it('an amount at or above the threshold is high impact', () => {
    expect(assess({ subject: 'Rechnung', text: 'Es geht um 1.200 €.' }, r)).toMatchObject({
      impact: 'high',
      priority: 'P3',
    });
    expect(assess({ subject: 'Rechnung', text: 'Es geht um 120 €.' }, r)).toMatchObject({ impact: 'low' });
  });
});

describe('mailbox rules', () => {
  it('a folder marked urgent makes its complaints urgent, and says why', () => {
    const a = assess(
      { subject: 'Frage', text: 'Hallo' },
      { ...rules, mailbox: { name: 'Rechtsabteilung', urgency: 'high' } },
    );
    expect(a).toMatchObject({ urgency: 'high', impact: 'low', priority: 'P2' });
    expect(a.reasons).toEqual(['urgency: mailbox Rechtsabteilung']);
  });
});
