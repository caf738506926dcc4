/**
 * The reconciler's bookkeeping, pure: every message in the watched, processed, ignored and quarantine folders is
 * accounted for as exactly one of a case it started, a reply / auto-reply / bounce of a case, an ignored robot
 * with its reason, or a quarantine entry with its reason. Whatever is not, and every case whose original mail is
 * in none of these folders, is a problem with what to do about it. The IMAP and Temporal reading is in scan.ts.
 */
import type { Verdict } from '../intake/classify.js';

export type TFolderRole = 'watched' | 'processed' | 'ignored' | 'quarantine';

/** One message as the reconciler read it. */
export interface MailRecord {
  folder: string;
  role: TFolderRole;
  uid: number;
  messageId?: string;
  subject: string;
  /** INTERNALDATE: when the message was stored in this mailbox. */
  storedAt: string;
  keywords: string[];
  /** How intake classifies it now; absent when it cannot be parsed. */
  verdict?: Verdict;
  /** The case id intake gives this mail when it starts a case from it (identity.ts caseIdFor). */
  ownCaseId: string;
  parseError?: string;
}

export type TAccountedAs = 'case' | 'case-mail' | 'ignored' | 'quarantine' | 'waiting';

export type TProblemKind = 'unaccounted' | 'waiting' | 'no-reason' | 'twice' | 'original-gone';

export interface Problem {
  kind: TProblemKind;
  folder?: string;
  uid?: number;
  subject?: string;
  caseId?: string;
  detail: string;
  todo: string;
}

export interface ReconcileReport {
  at: string;
  since: string;
  /** Messages read per folder. */
  folders: Record<string, number>;
  counts: Record<TAccountedAs | 'problems', number>;
  problems: Problem[];
}

export interface AccountOptions {
  now: Date;
  since: Date;
  /** A mail waiting longer than this in a watched folder is a problem (intake takes mail in within seconds). */
  waitingAfterMs: number;
  /** Case ids that exist in Temporal (running or closed), among those the mails name. */
  cases: ReadonlySet<string>;
  /** Case ids of the cases started within the window: each must have its original in one of the folders. */
  startedInWindow: readonly string[];
  /** Case ids of mails stored shortly before the window: originals of cases started inside it (intake was late). */
  earlierOriginals?: ReadonlySet<string>;
}

const QUARANTINE_KEYWORD = /^\$NachfassQuarantine-(.+)$/;

/** Which case a message is part of, if that case exists: its own, or the one it refers to. */
function caseOf(r: MailRecord, cases: ReadonlySet<string>): string | undefined {
  if (cases.has(r.ownCaseId)) return r.ownCaseId;
  const referred = r.verdict?.caseId;
  return referred && cases.has(referred) ? referred : undefined;
}

function problem(r: MailRecord, kind: TProblemKind, detail: string, todo: string): Problem {
  return { kind, folder: r.folder, uid: r.uid, subject: r.subject, detail, todo };
}

const MOVE_BACK = (r: MailRecord): string =>
  `send it through intake again: nachfass replay --from ${r.folder} ${r.uid}`;

/** What one message is accounted as, or the problem it is. */
function accountOne(r: MailRecord, o: AccountOptions): TAccountedAs | Problem {
  const kind = r.verdict?.kind;
  switch (r.role) {
    case 'watched': {
      const waited = o.now.getTime() - new Date(r.storedAt).getTime();
      if (waited <= o.waitingAfterMs) return 'waiting';
      return problem(
        r,
        'waiting',
        `still in the watched folder after ${Math.round(waited / 60_000)} min`,
        'check that the worker runs and its intake is live (GET /readyz); it is taken in once intake works',
      );
    }
    case 'quarantine': {
      const code = r.keywords.map((k) => QUARANTINE_KEYWORD.exec(k)?.[1]).find(Boolean);
      if (code) return 'quarantine';
      return problem(r, 'no-reason', 'in Quarantine without a reason code (put there by hand?)', MOVE_BACK(r));
    }
    case 'processed': {
      if (!r.verdict) return problem(r, 'unaccounted', `cannot be read: ${r.parseError ?? 'unknown'}`, MOVE_BACK(r));
      const c = caseOf(r, o.cases);
      if (kind === 'complaint') {
        return c === r.ownCaseId
          ? 'case'
          : problem(r, 'unaccounted', 'a complaint in Processed without its case (moved by hand?)', MOVE_BACK(r));
      }
      if (kind === 'reply' || kind === 'auto-reply' || kind === 'bounce') {
        if (c === r.ownCaseId) return 'case'; // a reply to an ended case opens a follow-up case of its own
        if (c) return 'case-mail';
        return problem(r, 'unaccounted', `a ${kind} in Processed, but its case is unknown`, MOVE_BACK(r));
      }
      return problem(
        r,
        'unaccounted',
        `in Processed, but intake sets such mail aside (${kind}: ${r.verdict.reasons.join('; ')})`,
        MOVE_BACK(r),
      );
    }
    case 'ignored': {
      if (!r.verdict) return problem(r, 'unaccounted', `cannot be read: ${r.parseError ?? 'unknown'}`, MOVE_BACK(r));
      if (kind === 'complaint' || kind === 'reply') {
        if (caseOf(r, o.cases)) return 'case-mail';
        return problem(r, 'unaccounted', `a ${kind} in Ignored without a case (moved by hand?)`, MOVE_BACK(r));
      }
      return 'ignored';
    }
  }
}

/** Accounts for every message, finds doubled ones and cases without their original; counts first, then problems. */
export function account(records: readonly MailRecord[], o: AccountOptions): ReconcileReport {
  const counts: ReconcileReport['counts'] = {
    case: 0,
    'case-mail': 0,
    ignored: 0,
    quarantine: 0,
    waiting: 0,
    problems: 0,
  };
  const problems: Problem[] = [];
  const folders: Record<string, number> = {};
  for (const r of records) {
    folders[r.folder] = (folders[r.folder] ?? 0) + 1;
    const a = accountOne(r, o);
    if (typeof a === 'string') counts[a] += 1;
    else problems.push(a);
  }
  // The same mail twice in Processed: still one case (the workflow id is the mail's), but a copy too many.
  const seen = new Map<string, MailRecord>();
  for (const r of records.filter((x) => x.role === 'processed' && x.messageId)) {
    const first = seen.get(r.messageId!);
    if (!first) seen.set(r.messageId!, r);
    else {
      problems.push(
        problem(
          r,
          'twice',
          `the same mail as UID ${first.uid} (Message-ID ${r.messageId}); it made one case`,
          'nothing is lost; delete one of the two copies by hand if you like',
        ),
      );
    }
  }
  const originals = new Set(records.map((r) => r.ownCaseId));
  for (const caseId of o.startedInWindow) {
    if (originals.has(caseId) || o.earlierOriginals?.has(caseId)) continue;
    problems.push({
      kind: 'original-gone',
      caseId,
      detail: `case ${caseId} has no original mail in any of the folders (deleted or moved out by hand?)`,
      todo: 'the case keeps the text of the complaint; restore the mail from a backup if the archive must be complete',
    });
  }
  counts.problems = problems.length;
  return { at: o.now.toISOString(), since: o.since.toISOString(), folders, counts, problems };
}

/** The report as a person reads it: the counts, then each problem with where it is and what to do. */
export function formatReport(r: ReconcileReport): string {
  const c = r.counts;
  const lines = [
    `reconciled ${Object.values(r.folders).reduce((s, n) => s + n, 0)} messages stored since ${r.since} (${Object.entries(
      r.folders,
    )
      .map(([f, n]) => `${f} ${n}`)
      .join(', ')})`,
    `  ${c.case} started a case, ${c['case-mail']} belong to a case, ${c.ignored} ignored with a reason, ` +
      `${c.quarantine} in quarantine with a reason, ${c.waiting} just arrived`,
    c.problems === 0 ? '  no problems' : `  ${c.problems} problem${c.problems === 1 ? '' : 's'}:`,
  ];
  for (const p of r.problems) {
    const where = p.folder ? `${p.folder} UID ${p.uid}` : `case ${p.caseId}`;
    lines.push(`  - [${p.kind}] ${where}${p.subject !== undefined ? ` "${p.subject}"` : ''}: ${p.detail}`);
    lines.push(`    what to do: ${p.todo}`);
  }
  return lines.join('\n');
}
