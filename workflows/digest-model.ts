/**
 * Reminder digests: what a case tells its approver's digest, and what the digest mail needs. Shared by the
 * cases, the digest workflow (workflows/digest.ts), its activities and the mail template. Pure: types only.
 */
import type { Approver, PolicySnapshot, TPriority } from './case.js';
import type { BusinessCalendar, DurationSpec } from './rules/calendar.js';

/** One case due for a reminder, as the digest lists it. Personal data: it travels only in (encrypted) payloads. */
export interface DigestEntry {
  caseId: string;
  /** The ladder level the approver decides this case at (their decision link is sealed for it). */
  level: number;
  priority: TPriority;
  subject: string;
  /** The customer's name, or their address when the mail gave none. */
  customer: string;
  promisedBy: string;
  /** How many reminders about this case the approver has had, this one included. */
  reminder: number;
  /** The approver is the top of the ladder: nobody above takes the case over. */
  top: boolean;
  /** The last reminder (`maxReminders` at the top): the case is stalled after it. */
  last?: boolean;
  /** When the case was told to remind (ISO). */
  at: string;
}

/** The digest of one person: `digest-<approverKey>`, started by the first case that reminds through it. */
export interface DigestArgs {
  approver: Approver;
  /** The person's keyed hash (activities/identity.ts `approverKey`): the workflow id, never the address. */
  key: string;
  /** At most one mail per window (the case's reminder duration). */
  window: DurationSpec;
  /** Staff business hours: a digest due at night goes out at opening time. */
  calendar: BusinessCalendar;
  company: PolicySnapshot['company'];
  /** The person is away until then (their out-of-office reply); carried across continue-as-new. */
  away?: Absence;
  /** Carried across continue-as-new. */
  lastSentAt?: number;
  sent?: number;
  pending?: DigestEntry[];
}

/** What a person's digest remembers of their absence, for cases that ask them later. */
export interface Absence {
  until: string;
  reason: string;
}

/** Input of the `tellAway` activity: every other case waiting for the person, and their digest, learn of it. */
export interface AwayNews {
  key: string;
  /** The case that learnt it (it is not told again). */
  except: string;
  address: string;
  until: string;
  reason: string;
  /** The person's digest, started when it does not run. */
  digest: DigestArgs;
}

/** Input of the `remindInDigest` activity: signal-with-start of the person's digest. */
export interface DigestReminder {
  workflowId: string;
  args: DigestArgs;
  entry: DigestEntry;
}

/** Input of the `sendDigestMail` activity. */
export interface DigestMailRequest {
  approver: Approver;
  key: string;
  /** Unique per mail and stable across retries: part of its Message-ID. */
  mailId: string;
  entries: DigestEntry[];
  company: PolicySnapshot['company'];
}

/** Id of a person's digest workflow. */
export const digestWorkflowId = (key: string): string => `digest-${key}`;
