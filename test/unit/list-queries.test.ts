/**
 * The daily lists (worker/list-queries.ts): the README's table is checked against the one definition, the week
 * starts on Monday in the company's zone, and `nachfass lists` prints every link for the moment asked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { LIST_QUERIES, listClock, listUrl, README_CLOCK, readmeLink } from '../../worker/list-queries.js';
import { listLines } from '../../worker/lists-command.js';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('the lists an admin opens every day', () => {
  it.each(LIST_QUERIES.map((l) => [l.id, l] as const))('the README shows %s as the module defines it', (_, list) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| ${list.title} `));
    expect(row, `a README row for "${list.title}"`).toBeDefined();
    expect(row).toContain(`\`${list.query(README_CLOCK)}\``);
    const link = readmeLink(list);
    if (link) expect(row).toContain(`[open](${link})`);
    else expect(row).toContain('`npx nachfass lists`');
  });

  it('opens the filtered list of the Web UI, the query URL-encoded (Markdown-safe)', () => {
    const url = new URL(listUrl('http://localhost:8233/', 'default', "A = 'x' AND (B <= 2)"));
    expect(url.origin + url.pathname).toBe('http://localhost:8233/namespaces/default/workflows');
    expect(url.searchParams.get('query')).toBe("A = 'x' AND (B <= 2)");
    expect(listUrl('http://ui', 'default', "('x')")).not.toMatch(/['()]/);
  });

  it.each([
    // A Wednesday in winter (CET), a Monday just after midnight, a Sunday night in summer (CEST).
    ['2026-12-02T10:00:00Z', 'Europe/Berlin', '2026-11-29T23:00:00Z'],
    ['2026-11-30T00:30:00+01:00', 'Europe/Berlin', '2026-11-29T23:00:00Z'],
    ['2026-06-07T23:30:00+02:00', 'Europe/Berlin', '2026-05-31T22:00:00Z'],
    ['2026-12-02T10:00:00Z', 'UTC', '2026-11-30T00:00:00Z'],
  ])('at %s in %s the week started at %s', (at, zone, weekStart) => {
    expect(listClock(new Date(at), zone)).toEqual({ now: new Date(at).toISOString(), weekStart });
  });

  it('nachfass lists prints every list with its link for the moment asked', () => {
    const lines = listLines({ at: '2026-12-02T10:00:00Z', ui: 'http://ui.example.test' }, {});
    expect(lines).toHaveLength(LIST_QUERIES.length * 2);
    const clock = listClock(new Date('2026-12-02T10:00:00Z'), 'Europe/Berlin');
    LIST_QUERIES.forEach((l, i) => {
      expect(lines[2 * i]).toContain(l.title);
      expect(lines[2 * i + 1]!.trim()).toBe(listUrl('http://ui.example.test', 'default', l.query(clock, 2)));
    });
    expect(() => listLines({ at: 'gestern' }, {})).toThrow('--at gestern');
  });
});
