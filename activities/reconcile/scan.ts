/**
 * The reconciler's reading: every message stored since `since` in the watched, processed, ignored and
 * quarantine folders (one IMAP connection, each message read on its own, so memory stays that of one mail), how
 * intake classifies it now, and which of the cases those mails name exist in Temporal (visibility, read-only).
 * Used by the ReconcileWorkflow's activity (on a Temporal Schedule) and by `nachfass reconcile`.
 */
import type { Client } from '@temporalio/client';
import type { ImapFlow } from 'imapflow';
import { caseIdFor, workflowIdFor } from '../identity.js';
import { classify, type ClassifyContext } from '../intake/classify.js';
import { mailFacts } from '../intake/mail-facts.js';
import { withMailbox, type MailboxSettings } from '../intake/mailbox.js';
import { boundLine, parseRaw } from '../intake/parse.js';
import { account, type MailRecord, type ReconcileReport, type TFolderRole } from './account.js';

export interface ReconcileDeps {
  client: Client;
  taskQueue: string;
  /** The watched folders of the support mailbox (one account: processed, ignored and quarantine are shared). */
  boxes: readonly MailboxSettings[];
  classifyContext: ClassifyContext;
  /** Called per message read (an activity heartbeats here). */
  progress?: () => void;
}

export interface ReconcileArgs {
  /** Messages stored within this many ms before now are reconciled. */
  sinceMs: number;
  /** A message longer than this in a watched folder is a problem (default 5 min). */
  waitingAfterMs?: number;
}

/**
 * Mails stored up to this long before the window are read too, not accounted: the original of a case started
 * inside the window may have arrived before it (intake was down).
 */
const EARLIER_MS = 86_400_000;

/** The folders to read, each with its role (the watched folders of every box, the shared ones once). */
function foldersOf(boxes: readonly MailboxSettings[]): Array<{ folder: string; role: TFolderRole }> {
  const first = boxes[0]!;
  return [
    ...boxes.map((b) => ({ folder: b.folder, role: 'watched' as const })),
    { folder: first.processedFolder, role: 'processed' },
    { folder: first.ignoredFolder, role: 'ignored' },
    { folder: first.quarantineFolder, role: 'quarantine' },
  ];
}

async function readFolder(
  c: ImapFlow,
  folder: string,
  role: TFolderRole,
  since: Date,
  deps: ReconcileDeps,
): Promise<MailRecord[]> {
  const lock = await c.getMailboxLock(folder, { readOnly: true });
  try {
    // SINCE is a date without time (RFC 3501): search from the day before, then keep by INTERNALDATE.
    const from = new Date(since.getTime() - EARLIER_MS - 86_400_000);
    const uids = (await c.search({ since: from }, { uid: true })) || [];
    const out: MailRecord[] = [];
    for (const uid of uids) {
      const m = await c.fetchOne(
        String(uid),
        { uid: true, flags: true, internalDate: true, source: true },
        { uid: true },
      );
      deps.progress?.();
      if (!m || !m.source) continue;
      const storedAt = new Date(m.internalDate ?? 0);
      if (storedAt.getTime() < since.getTime() - EARLIER_MS) continue;
      const keywords = [...(m.flags ?? [])];
      try {
        const parsed = await parseRaw(m.source);
        const messageId = parsed.messageId;
        out.push({
          folder,
          role,
          uid,
          ...(messageId ? { messageId } : {}),
          subject: boundLine(parsed.subject ?? '', 120),
          storedAt: storedAt.toISOString(),
          keywords,
          verdict: classify(mailFacts(parsed), deps.classifyContext),
          ownCaseId: caseIdFor(messageId, m.source),
        });
      } catch (err) {
        out.push({
          folder,
          role,
          uid,
          subject: '',
          storedAt: storedAt.toISOString(),
          keywords,
          ownCaseId: caseIdFor(undefined, m.source),
          parseError: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return out;
  } finally {
    lock.release();
  }
}

/** Which of `caseIds` exist as ComplaintWorkflow runs (running or closed), read in chunks from visibility. */
async function existingCases(client: Client, caseIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const unique = [...new Set(caseIds)];
  for (let i = 0; i < unique.length; i += 100) {
    const ids = unique.slice(i, i + 100).map((id) => `'${workflowIdFor(id)}'`);
    const query = `WorkflowType = 'ComplaintWorkflow' AND WorkflowId IN (${ids.join(', ')})`;
    for await (const w of client.workflow.list({ query })) found.add(w.workflowId.replace(/^complaint-/, ''));
  }
  return found;
}

/** The case ids of the cases started on this task queue within the window. */
async function startedSince(client: Client, taskQueue: string, since: Date): Promise<string[]> {
  const query = `WorkflowType = 'ComplaintWorkflow' AND TaskQueue = '${taskQueue}' AND StartTime > '${since.toISOString()}'`;
  const out: string[] = [];
  for await (const w of client.workflow.list({ query })) out.push(w.workflowId.replace(/^complaint-/, ''));
  return out;
}

export async function reconcileMailbox(deps: ReconcileDeps, args: ReconcileArgs): Promise<ReconcileReport> {
  const now = new Date();
  const since = new Date(now.getTime() - args.sinceMs);
  // Cases first: a case started while the folders are read has its mail in them already.
  const started = await startedSince(deps.client, deps.taskQueue, since);
  const records = await withMailbox(deps.boxes[0]!, async (c) => {
    const existing = new Set((await c.list()).map((m) => m.path));
    const out: MailRecord[] = [];
    for (const { folder, role } of foldersOf(deps.boxes)) {
      if (existing.has(folder)) out.push(...(await readFolder(c, folder, role, since, deps)));
    }
    return out;
  });
  const inWindow = records.filter((r) => new Date(r.storedAt) >= since);
  const named = inWindow.flatMap((r) => [r.ownCaseId, ...(r.verdict?.caseId ? [r.verdict.caseId] : [])]);
  const cases = await existingCases(deps.client, named);
  return account(inWindow, {
    now,
    since,
    waitingAfterMs: args.waitingAfterMs ?? 5 * 60_000,
    cases,
    startedInWindow: started,
    earlierOriginals: new Set(records.filter((r) => new Date(r.storedAt) < since).map((r) => r.ownCaseId)),
  });
}
