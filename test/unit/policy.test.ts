import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { loadPolicy, parsePolicy, policySnapshot } from '../../worker/policy.js';

describe('policy file', () => {
  it.each(['example.yaml', 'demo.yaml'])('the shipped %s is valid', (file) => {
    const p = loadPolicy(path.join(PROJECT_ROOT, 'policy', file));
    expect(p.company.timeZone).toBe('Europe/Berlin');
    expect(p.ladder.length).toBeGreaterThanOrEqual(2);
  });

  it('turns durations into milliseconds and numbers the ladder', () => {
    const p = loadPolicy(path.join(PROJECT_ROOT, 'policy', 'example.yaml'));
    const s = policySnapshot(p);
    expect(s.durations.answerPromise).toEqual({ ms: 16 * 3600_000, business: true });
    expect(s.calendar.week[1]).toEqual({ open: 9 * 60, close: 18 * 60 });
    expect(s.calendar.week[6]).toBeUndefined();
    expect(s.calendar.holidays).toContain('2027-12-25');
    expect(s.ladder.map((a) => a.level)).toEqual([0, 1]);
  });

  it('names the file and field of an error', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8')
      .replace('timeZone: Europe/Berlin', 'timeZone: Mars/Olympus')
      .replace('reminderAfter: 4bh', 'reminderAfter: later')
      .replace("mon: '09:00-18:00'", "mon: '18:00-09:00'");
    expect(() => parsePolicy(text, 'my.yaml')).toThrowError(
      /my\.yaml: invalid policy:[\s\S]*company\.timeZone: is not an IANA time zone[\s\S]*calendar\.hours\.mon: "18:00-09:00" is not opening hours[\s\S]*durations\.reminderAfter: "later" is not a duration/,
    );
  });

  it('reports broken YAML with the file name', () => {
    expect(() => parsePolicy('company: [', 'broken.yaml')).toThrowError(/broken\.yaml: not valid YAML/);
  });
});

describe('teams and mailbox defaults', () => {
  const base = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8');
  it('gives a folder its team’s ladder', () => {
    const p = parsePolicy(
      `${base}\nteams:\n  international:\n    - { role: Lead, name: Alex, address: alex@example.test, language: en }\nmailboxes:\n  English: { language: en, team: international }\n`,
      't.yaml',
    );
    expect(policySnapshot(p, 'international').ladder).toEqual([
      { role: 'Lead', name: 'Alex', address: 'alex@example.test', language: 'en', level: 0 },
    ]);
    expect(policySnapshot(p).ladder[0]?.name).toBe('Sabine Schulz');
  });
  it('refuses a folder naming a team that does not exist', () => {
    expect(() => parsePolicy(`${base}\nmailboxes:\n  English: { team: nobody }\n`, 't.yaml')).toThrowError(
      /t\.yaml: invalid policy:\s+mailboxes\.English\.team: no team "nobody" under teams/,
    );
  });
});

describe('calendar holidays', () => {
  it('refuses an unknown country or state', () => {
    const base = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8');
    expect(() => parsePolicy(base.replace('{ country: DE, state: BE }', '{ country: XX }'), 'h.yaml')).toThrowError(
      /calendar\.holidays: no public holidays known for XX/,
    );
  });
});

describe('matrix', () => {
  const base = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8');
  it('carries per-priority first level and durations into the snapshot', () => {
    const s = policySnapshot(parsePolicy(base, 'e.yaml'));
    expect(s.matrix?.P1).toEqual({
      firstLevel: 1,
      durations: {
        answerPromise: { ms: 4 * 3600_000, business: true },
        reminderAfter: { ms: 3600_000, business: true },
        escalateAfter: { ms: 2 * 3600_000, business: true },
      },
    });
  });
  it('refuses a first level the ladder does not have', () => {
    expect(() => parsePolicy(base.replace('P1: { firstLevel: 1', 'P1: { firstLevel: 5'), 'm.yaml')).toThrowError(
      /matrix\.P1\.firstLevel: the ladder has levels 0 to 1/,
    );
  });
});

describe('mailbox rules in the snapshot', () => {
  it('puts the folder’s urgency and impact into the rules of cases from that folder only', () => {
    const base = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8');
    const p = parsePolicy(`${base}\nmailboxes:\n  Rechtsabteilung: { urgency: high, impact: high }\n`, 'b.yaml');
    expect(policySnapshot(p, undefined, new Date(), 'Rechtsabteilung').rules.mailbox).toEqual({
      name: 'Rechtsabteilung',
      urgency: 'high',
      impact: 'high',
    });
    expect(policySnapshot(p, undefined, new Date(), 'INBOX').rules.mailbox).toBeUndefined();
  });

  it('carries the feedback settings, and a folder’s customer time zone, into the snapshot', () => {
    const base = readFileSync(path.join(PROJECT_ROOT, 'policy', 'example.yaml'), 'utf8');
    const p = parsePolicy(`${base}\nmailboxes:\n  English: { language: en, timeZone: Europe/London }\n`, 'c.yaml');
    const s = policySnapshot(p, undefined, new Date(), 'English');
    expect(s.customerTimeZone).toBe('Europe/London');
    expect(policySnapshot(p, undefined, new Date(), 'INBOX').customerTimeZone).toBeUndefined();
    expect(s.feedback).toEqual({ lowRatingAtMost: 2 });
    expect(s.durations.followUpAfter).toEqual({ ms: 0, business: true, days: 3 });
    expect(s.durations.feedbackWindow).toEqual({ ms: 0, business: true, days: 5 });
    expect(() => parsePolicy(`${base}\nmailboxes:\n  English: { timeZone: Mars/Olympus }\n`, 'd.yaml')).toThrowError(
      /d\.yaml: invalid policy:\s+mailboxes\.English\.timeZone: is not an IANA time zone/,
    );
    expect(() => parsePolicy(base.replace('lowRatingAtMost: 2', 'lowRatingAtMost: 5'), 'e.yaml')).toThrowError(
      /feedback\.lowRatingAtMost/,
    );
  });
});
