/**
 * `nachfass status [--json]`: an admin's view without a browser, read-only, against whatever cluster the worker's
 * environment names (TEMPORAL_*, with its TLS and API key). Per watched folder the intake's state from Temporal (is
 * a watcher running, on which worker, how fresh its heartbeat), the mail waiting in the folder (IMAP STATUS with
 * the worker's account) and when the last case of the task queue started; then the open cases by status and
 * priority, the ten most overdue promises and the ten cases waiting longest, from Temporal visibility.
 */
import { ImapFlow } from 'imapflow';
import { imapOptions } from '../activities/intake/mailbox.js';
import { CaseStatusKey, DueAtKey, PriorityKey } from '../workflows/search-attributes.js';
import { loadConfig, type TConfig } from './config.js';
import { intakeWorkflowId, mailboxesOf } from './intakes.js';
import { loadPolicy } from './policy.js';
import proto from '@temporalio/proto';
import { withTemporalClient } from './temporal-session.js';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';

export interface IntakeStatus {
  mailbox: string;
  /** live: a watcher runs with a fresh heartbeat; stalled: none does (or its heartbeat is late); stopped: no intake. */
  state: 'live' | 'stalled' | 'stopped';
  worker?: string;
  heartbeatSecondsAgo?: number;
  /** Messages in the watched folder now (not yet taken in); undefined when IMAP could not be asked. */
  waiting?: number;
  imapError?: string;
  /** When the newest case of this task queue started. */
  lastCaseStartedAt?: string;
}

export interface CaseLine {
  caseId: string;
  status: string;
  priority: string;
  startedAt: string;
  dueAt?: string;
}

export interface StatusReport {
  at: string;
  namespace: string;
  taskQueue: string;
  intakes: IntakeStatus[];
  openCases: { total: number; byStatus: Record<string, number>; byPriority: Record<string, number> };
  overdue: CaseLine[];
  waitingLongest: CaseLine[];
}

async function intakeStatus(client: Client, config: TConfig, mailbox: string): Promise<IntakeStatus> {
  try {
    const d = await client.workflow.getHandle(intakeWorkflowId(mailbox)).describe();
    if (d.status.name !== 'RUNNING') return { mailbox, state: 'stopped' };
    const watcher = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchMailbox');
    const started = watcher?.state === proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
    const beat = watcher?.lastHeartbeatTime?.seconds;
    const ago = beat != null ? Math.round((Date.now() - Number(beat) * 1000) / 1000) : undefined;
    const fresh = started && ago !== undefined && ago * 1000 <= config.intake.heartbeatTimeout;
    return {
      mailbox,
      state: fresh ? 'live' : 'stalled',
      ...(watcher?.lastWorkerIdentity ? { worker: watcher.lastWorkerIdentity } : {}),
      ...(ago !== undefined ? { heartbeatSecondsAgo: ago } : {}),
    };
  } catch {
    return { mailbox, state: 'stopped' };
  }
}

function caseLine(wf: WorkflowExecutionInfo): CaseLine {
  const due = wf.typedSearchAttributes.get(DueAtKey);
  return {
    caseId: wf.workflowId.replace(/^complaint-/, ''),
    status: wf.typedSearchAttributes.get(CaseStatusKey) ?? 'unknown',
    priority: wf.typedSearchAttributes.get(PriorityKey) ?? 'unknown',
    startedAt: wf.startTime.toISOString(),
    ...(due ? { dueAt: due.toISOString() } : {}),
  };
}

/** The report (no output). */
export async function statusReport(client: Client, config: TConfig, mailboxes: string[]): Promise<StatusReport> {
  const q = `WorkflowType = 'ComplaintWorkflow' AND TaskQueue = '${config.temporal.taskQueue}'`;
  const open: CaseLine[] = [];
  for await (const wf of client.workflow.list({ query: `${q} AND ExecutionStatus = 'Running'` }))
    open.push(caseLine(wf));
  // The newest case of the last week, running or not (SQL visibility cannot sort by start time).
  let lastStarted: string | undefined;
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  for await (const wf of client.workflow.list({ query: `${q} AND StartTime > '${weekAgo}'` })) {
    const started = wf.startTime.toISOString();
    if (!lastStarted || started > lastStarted) lastStarted = started;
  }
  const tally = (key: 'status' | 'priority'): Record<string, number> =>
    open.reduce<Record<string, number>>((m, c) => ({ ...m, [c[key]]: (m[c[key]] ?? 0) + 1 }), {});
  const now = new Date();
  const intakes = await Promise.all(mailboxes.map((m) => intakeStatus(client, config, m)));
  return {
    at: now.toISOString(),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    intakes: intakes.map((i) => ({ ...i, ...(lastStarted ? { lastCaseStartedAt: lastStarted } : {}) })),
    openCases: { total: open.length, byStatus: tally('status'), byPriority: tally('priority') },
    overdue: open
      .filter((c) => c.dueAt !== undefined && c.dueAt < now.toISOString())
      .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!))
      .slice(0, 10),
    waitingLongest: [...open].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(0, 10),
  };
}

/** Messages in each watched folder now (IMAP STATUS, read-only). */
async function waitingMail(config: TConfig, policyFile: string): Promise<Map<string, number | string>> {
  const out = new Map<string, number | string>();
  for (const box of mailboxesOf(config, loadPolicy(policyFile))) {
    const client = new ImapFlow(imapOptions(box));
    client.on('error', () => undefined);
    try {
      await client.connect();
      const s = await client.status(box.folder, { messages: true });
      out.set(box.key, s ? (s.messages ?? 0) : 'no STATUS answer');
    } catch (err) {
      out.set(box.key, err instanceof Error ? err.message : String(err));
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
  return out;
}

function text(r: StatusReport): string {
  const lines = [`Nachfass status at ${r.at} (namespace ${r.namespace}, task queue ${r.taskQueue})`, '', 'Intake'];
  for (const i of r.intakes) {
    const waiting = i.waiting !== undefined ? `${i.waiting} waiting` : `waiting unknown (${i.imapError ?? '?'})`;
    const who = i.worker ? `, worker ${i.worker}, heartbeat ${i.heartbeatSecondsAgo ?? '?'} s ago` : '';
    const last = i.lastCaseStartedAt ? `, last case ${i.lastCaseStartedAt}` : '';
    lines.push(`  ${i.mailbox}: ${i.state.toUpperCase()}${who}; ${waiting}${last}`);
  }
  lines.push('', `Open cases: ${r.openCases.total}`);
  for (const [k, n] of Object.entries(r.openCases.byStatus)) lines.push(`  ${k}: ${n}`);
  const prio = Object.entries(r.openCases.byPriority).map(([k, n]) => `${k} ${n}`);
  if (prio.length) lines.push(`  by priority: ${prio.join(', ')}`);
  const table = (title: string, cs: CaseLine[], when: (c: CaseLine) => string): void => {
    lines.push('', cs.length ? `${title}:` : `${title}: none`);
    for (const c of cs) lines.push(`  ${c.caseId}  ${c.priority}  ${c.status}  ${when(c)}`);
  };
  table('Most overdue promises', r.overdue, (c) => `due ${c.dueAt}`);
  table('Waiting longest', r.waitingLongest, (c) => `since ${c.startedAt}`);
  return lines.join('\n');
}

export async function statusCommand(opts: { json: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig(env);
  if (!config.temporal.address) {
    console.error('nachfass status needs TEMPORAL_ADDRESS: the server whose cases it reads');
    return 2;
  }
  const waiting = await waitingMail(config, config.policyFile);
  const report = await withTemporalClient(config, (client) => statusReport(client, config, [...waiting.keys()]));
  for (const i of report.intakes) {
    const w = waiting.get(i.mailbox);
    if (typeof w === 'number') i.waiting = w;
    else if (w !== undefined) i.imapError = w;
  }
  console.log(opts.json ? JSON.stringify(report, null, 2) : text(report));
  return 0;
}
