/**
 * The activities of reminder digests (workflows/digest.ts): a case hands its reminder to the approver's digest
 * (signal-with-start through the Worker's own client, so the payload is encrypted like any other), and the digest
 * sends one mail listing every case that still waits, each with a freshly sealed decision link. Also the news
 * of an absence: every case waiting for the away person is signalled (`tellAway`, `nachfass absent`).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIdFor } from './identity.js';
import { signLink } from './links.js';
import { domainOf, displayAddress } from './address.js';
import type { TSendMail } from './mail.js';
import { renderDraft } from '../templates/layout.js';
import { reminderDigest } from '../templates/reminder-digest.js';
import {
  digestWorkflowId,
  type Absence,
  type AwayNews,
  type DigestMailRequest,
  type DigestReminder,
} from '../workflows/digest-model.js';
import { absenceQuery, awaySignal, remindSignal, type DigestWorkflow } from '../workflows/digest.js';
import { approverAwaySignal } from '../workflows/messages.js';

export interface DigestDeps {
  sendMail: TSendMail;
  supportAddress: string;
  publicUrl: string;
  linkSecret: string;
  linkValidity: number;
}

/** The visibility query of the cases waiting for the person of `key` (hexadecimal: safe inside quotes). */
export function waitingFor(key: string): string {
  if (!/^[0-9a-f]+$/.test(key)) throw new Error('an approver key is hexadecimal');
  return `WorkflowType = 'ComplaintWorkflow' AND ExecutionStatus = 'Running' AND ApproverHash = '${key}' AND CaseStatus = 'awaiting-decision'`;
}

/**
 * Tells every case waiting for the person of `key` (but `exceptWorkflowId`) that they are away: each hands itself
 * to that person's deputy, when it has one. Returns how many cases were told.
 */
export async function announceAbsence(
  client: Client,
  key: string,
  away: { address: string; until?: string; reason: string },
  exceptWorkflowId?: string,
): Promise<number> {
  let told = 0;
  for await (const info of client.workflow.list({ query: waitingFor(key), pageSize: 500 })) {
    if (info.workflowId === exceptWorkflowId) continue;
    await client.workflow
      .getHandle(info.workflowId)
      .signal(approverAwaySignal, away)
      .then(() => (told += 1))
      .catch(() => undefined); // completed in between
  }
  return told;
}

/** The cases of `ids` that still wait for the person of `key` (visibility: ApproverHash, awaiting a decision). */
async function stillWaiting(key: string, ids: string[]): Promise<Set<string>> {
  const client = Context.current().client;
  const query = waitingFor(key);
  const wanted = new Set(ids.map(workflowIdFor));
  const waiting = new Set<string>();
  for await (const info of client.workflow.list({ query, pageSize: 500 })) {
    if (wanted.has(info.workflowId)) waiting.add(info.workflowId);
  }
  return waiting;
}

export function createDigestActivities(deps: DigestDeps) {
  const domain = domainOf(deps.supportAddress);
  const base = deps.publicUrl.replace(/\/$/, '');
  return {
    async remindInDigest(r: DigestReminder): Promise<void> {
      const { client, info } = Context.current();
      await client.workflow.signalWithStart<typeof DigestWorkflow, [typeof r.entry]>('DigestWorkflow', {
        workflowId: r.workflowId,
        taskQueue: info.taskQueue,
        args: [r.args],
        signal: remindSignal,
        signalArgs: [r.entry],
      });
    },

    /** The person's digest remembers the absence (for cases that ask them later); their waiting cases are told. */
    async tellAway(a: AwayNews): Promise<number> {
      const { client, info } = Context.current();
      const { address, until, reason } = a;
      await client.workflow.signalWithStart<typeof DigestWorkflow, [Absence]>('DigestWorkflow', {
        workflowId: digestWorkflowId(a.key),
        taskQueue: info.taskQueue,
        args: [a.digest],
        signal: awaySignal,
        signalArgs: [{ until, reason }],
      });
      return announceAbsence(client, a.key, { address, until, reason }, workflowIdFor(a.except));
    },

    /** The absence the person's digest remembers, if one lasts now. */
    async absenceOf(a: { key: string }): Promise<Absence | undefined> {
      const handle = Context.current().client.workflow.getHandle(digestWorkflowId(a.key));
      const absence = await handle.query(absenceQuery).catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      });
      return absence && Date.parse(absence.until) > Date.now() ? absence : undefined;
    },

    async sendDigestMail(req: DigestMailRequest): Promise<{ listed: number }> {
      const waiting = await stillWaiting(
        req.key,
        req.entries.map((e) => e.caseId),
      );
      const entries = req.entries.filter((e) => waiting.has(workflowIdFor(e.caseId)));
      if (entries.length === 0) return { listed: 0 };
      const x = Math.floor((Date.now() + deps.linkValidity) / 1000);
      const a = req.approver.address;
      const decide = Object.fromEntries(
        entries.map((e) => [
          e.caseId,
          `${base}/decide/${signLink(deps.linkSecret, { c: e.caseId, a, l: e.level, p: 'decide', x })}`,
        ]),
      );
      const queue = `${base}/queue/${signLink(deps.linkSecret, { c: '', a, l: 0, p: 'queue', x })}`;
      const mail = await renderDraft(reminderDigest({ ...req, entries }, { decide, queue }));
      await deps.sendMail({
        from: deps.supportAddress,
        to: displayAddress(req.approver),
        ...mail,
        messageId: `<digest.${req.mailId}.${req.key.slice(0, 12)}@${domain}>`,
        // Like every staff mail, without Auto-Submitted: a vacation responder may answer (and is never answered).
        headers: { 'X-Nachfass-Kind': 'reminder-digest' },
        // Not a case mail: a bounce of it must not count against any case.
        envelopeId: 'reminder-digest',
      });
      return { listed: entries.length };
    },
  };
}
