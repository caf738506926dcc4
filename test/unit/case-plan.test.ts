/**
 * The case plan is the one reading of a policy: `nachfass assess` (the CLI, run as an admin runs it) and the
 * workflow (planCase on the input intake builds) must agree on priority, reasons, first level and due times.
 * Regression: the CLI once assessed a second time without the sender and printed P4 for a VIP mail.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toComplaintInput } from '../../activities/intake/complaint-input.js';
import { parseRaw, summarize } from '../../activities/intake/parse.js';
import { PROJECT_ROOT } from '../../worker/config.js';
import { loadPolicy, policySnapshot } from '../../worker/policy.js';
import type { PolicySnapshot } from '../../workflows/case.js';
import { dueAt } from '../../workflows/rules/calendar.js';
import { caseTimes, planCase } from '../../workflows/rules/case-plan.js';

const run = promisify(execFile);
const POLICY = path.join(PROJECT_ROOT, 'policy/example.yaml');
const AT = '2026-11-24T10:00:00+01:00';

const mail = (from: string, subject: string, text: string): string =>
  [
    `From: ${from}`,
    'To: support@example.test',
    `Subject: ${subject}`,
    'Date: Tue, 24 Nov 2026 10:00:00 +0100',
    `Message-ID: <${subject.replace(/\W+/g, '-')}@example.test>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');

const MAILS = {
  vip: mail('Petra Groß <einkauf@grosskunde.example>', 'Lieferung fehlt', 'Unsere Lieferung ist nicht da.'),
  P1: mail('kunde@example.test', 'Dringend: Erstattung', 'Ich verlange sofort eine Erstattung.'),
  P2: mail('kunde@example.test', 'Bitte umgehend', 'Wann kommt meine Bestellung?'),
  P3: mail('kunde@example.test', 'Schaden am Gerät', 'Das Gerät hat einen Schaden.'),
  P4: mail('kunde@example.test', 'Frage zur Rechnung', 'Wann kommt sie?'),
};

type TCliVerdict = { priority: string; reasons: string[]; route: string[]; times: Record<string, string> };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nachfass-plan-'));
  await Promise.all(Object.entries(MAILS).map(([name, text]) => writeFile(path.join(dir, `${name}.eml`), text)));
});
afterAll(() => rm(dir, { recursive: true }));

/** The plan the workflow computes: intake's real input builder, then planCase on that input. */
async function workflowPlan(name: string) {
  const raw = Buffer.from(MAILS[name as keyof typeof MAILS]);
  const at = new Date(AT);
  const input = toComplaintInput(summarize(await parseRaw(raw)), raw, {
    mailbox: 'support',
    defaultLanguage: 'de',
    policy: policySnapshot(loadPolicy(POLICY), undefined, at),
    linkSecret: 'x'.repeat(32),
    searchAttributes: false,
    now: at,
    archiveFolder: 'Archive',
  });
  if (typeof input === 'string') throw new Error(input);
  return { plan: planCase(input, input.policy), at: at.getTime() };
}

async function cliVerdict(name: string): Promise<TCliVerdict> {
  const { stdout } = await run(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'bin/nachfass.js'),
      'assess',
      path.join(dir, `${name}.eml`),
      '--at',
      AT,
      '--policy',
      POLICY,
    ],
    { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '' } },
  );
  return JSON.parse(stdout) as TCliVerdict;
}

describe('nachfass assess and the workflow share one case plan', () => {
  it.each([
    ['vip', 'P1'],
    ['P1', 'P1'],
    ['P2', 'P2'],
    ['P3', 'P3'],
    ['P4', 'P4'],
  ])('%s mail: both say %s, the same first level and the same due times', async (name, priority) => {
    const [cli, { plan, at }] = await Promise.all([cliVerdict(name), workflowPlan(name)]);
    expect(plan.assessment.priority).toBe(priority);
    expect(cli.priority).toBe(plan.assessment.priority);
    expect(cli.reasons).toEqual(plan.assessment.reasons);
    expect(cli.route[0]).toMatch(new RegExp(`^${plan.firstLevel}: `));
    expect(Date.parse(cli.times.promisedAnswer!)).toBe(dueAt(at, plan.durations.answerPromise, plan.calendar));
    expect(Date.parse(cli.times.reminder!)).toBe(dueAt(at, plan.durations.reminderAfter, plan.calendar));
    expect(Date.parse(cli.times.escalation!)).toBe(dueAt(at, plan.durations.escalateAfter, plan.calendar));
  });

  it('a VIP sender is P1 for the reason of the VIP rule, routed to management first', async () => {
    const cli = await cliVerdict('vip');
    expect(cli.reasons).toContain('urgency: VIP sender @grosskunde.example');
    expect(cli.route[0]).toContain('Geschäftsleitung');
  });
});

describe('planCase durations', () => {
  const snapshot = policySnapshot(loadPolicy(POLICY), undefined, new Date(AT));
  it('applies the quadrant, and defaults derived durations from the case’s own values', () => {
    // The example sets no infoTimeout: a P1 case's reply-by counts with the P1 promise (4bh), not the 16bh one.
    const p1 = planCase({ subject: 'sofort', text: 'Erstattung' }, snapshot);
    expect(p1.firstLevel).toBe(1);
    expect(p1.durations.answerPromise).toEqual({ ms: 4 * 3600_000, business: true });
    expect(p1.durations.infoTimeout).toEqual(p1.durations.answerPromise);
    expect(p1.durations.infoReminderAfter).toEqual({ ms: 3600_000, business: true });
    // What the policy states is kept as stated (feedbackWindow: 5bd).
    expect(p1.durations.feedbackWindow).toEqual({ ms: 0, business: true, days: 5 });
    const p3 = planCase({ subject: 'Frage', text: 'Schaden' }, snapshot);
    expect(p3).toMatchObject({ firstLevel: 0, durations: { infoTimeout: { ms: 16 * 3600_000, business: true } } });
  });

  it('reads inputs of cases started by an earlier version: plain milliseconds, no calendar, no info durations', () => {
    const legacy = {
      company: { name: 'x', address: 'x', phone: 'x', hours: 'x', timeZone: 'Europe/Berlin' },
      ladder: [],
      durations: { answerPromise: 60_000, reminderAfter: 20_000, escalateAfter: 40_000, followUpAfter: 5_000 },
      rules: { urgencyKeywords: [], impactKeywords: [] },
    } as unknown as PolicySnapshot;
    const t = caseTimes(legacy);
    expect(t.durations.answerPromise).toEqual({ ms: 60_000, business: false });
    expect(t.durations.infoReminderAfter).toEqual({ ms: 20_000, business: false });
    expect(t.durations.infoTimeout).toEqual({ ms: 60_000, business: false });
    expect(t.durations.feedbackWindow).toEqual({ ms: 5_000, business: false });
    expect(dueAt(0, t.durations.reminderAfter, t.calendar)).toBe(20_000);
  });
});
