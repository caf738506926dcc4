/**
 * The escalation policy file (YAML), validated with zod. Errors name the file, the field and the problem.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { PolicySnapshot } from '../workflows/case.js';
import { ZDuration } from './config.js';

const ZPerson = z.object({
  role: z.string().min(1),
  name: z.string().min(1),
  address: z.email(),
  language: z.enum(['de', 'en']).default('de'),
});

export const ZPolicy = z.object({
  company: z.object({
    name: z.string().min(1),
    address: z.string().min(1),
    phone: z.string().min(1),
    hours: z.string().min(1),
    timeZone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'is not an IANA time zone like Europe/Berlin'),
  }),
  ladder: z.array(ZPerson).min(1, 'needs at least one approver'),
  /** Further escalation ladders by team name; a watched folder may name its team (`mailboxes`). */
  teams: z.record(z.string(), z.array(ZPerson).min(1, 'needs at least one approver')).default({}),
  /** Defaults per watched IMAP folder: the language customers there are answered in, and the team. */
  mailboxes: z
    .record(z.string(), z.object({ language: z.enum(['de', 'en']).optional(), team: z.string().optional() }))
    .default({}),
  durations: z.object({
    answerPromise: ZDuration,
    reminderAfter: ZDuration,
    escalateAfter: ZDuration,
    followUpAfter: ZDuration,
    linkValidity: ZDuration,
  }),
  rules: z.object({
    urgencyKeywords: z.array(z.string().min(1)).default([]),
    impactKeywords: z.array(z.string().min(1)).default([]),
  }),
});
export type TPolicy = z.infer<typeof ZPolicy>;

function checkTeams(p: TPolicy): string[] {
  return Object.entries(p.mailboxes)
    .filter(([, m]) => m.team !== undefined && !(m.team in p.teams))
    .map(([folder, m]) => `  mailboxes.${folder}.team: no team "${m.team}" under teams`);
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export function parsePolicy(text: string, file: string): TPolicy {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new PolicyError(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = ZPolicy.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${file}: invalid policy:\n${lines.join('\n')}`);
  }
  const teamErrors = checkTeams(result.data);
  if (teamErrors.length > 0) throw new PolicyError(`${file}: invalid policy:\n${teamErrors.join('\n')}`);
  return result.data;
}

export function loadPolicy(file: string): TPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(`POLICY_FILE ${file}: cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parsePolicy(text, file);
}

/** The part of the policy a case carries in its input; `team` picks a ladder from `teams`. */
export function policySnapshot(p: TPolicy, team?: string): PolicySnapshot {
  const ladder = (team !== undefined ? p.teams[team] : undefined) ?? p.ladder;
  return {
    company: p.company,
    ladder: ladder.map((person, level) => ({ ...person, level })),
    durations: {
      answerPromise: p.durations.answerPromise,
      reminderAfter: p.durations.reminderAfter,
      escalateAfter: p.durations.escalateAfter,
      followUpAfter: p.durations.followUpAfter,
    },
    rules: p.rules,
  };
}
