/**
 * An approver's queue page, `/queue/<token>`: the sealed token names a person (purpose `queue`); the page lists
 * every case now waiting for their decision. Read from Temporal, never from a copy: visibility finds the cases
 * by the ApproverHash search attribute (a keyed hash, never the address), and each case's state query (its
 * payloads decrypted by the codec) gives what is personal (subject, customer). GET only: nothing changes.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { waitingFor } from '../../activities/digest.js';
import { approverKey } from '../../activities/identity.js';
import { signLink, verifyLink, type LinkClaims } from '../../activities/links.js';
import { LINK_TEXT } from '../../templates/pages/link-texts.js';
import { queuePage, type QueueEntry } from '../../templates/pages/queue.js';
import type { CaseState, TLanguage } from '../../workflows/case.js';
import { caseApprover, findApprover } from '../../workflows/ladder.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { StalledKey } from '../../workflows/search-attributes.js';
import { notice, send, type CaseLinks } from './case-link.js';

/** At most this many cases on one page (a queue longer than this is a staffing problem, not a page). */
export const QUEUE_MAX = 500;
/** Case-state queries in flight at once for one page. */
const QUERY_CONCURRENCY = 8;

/** The running cases visibility lists for `hash`, at most `max`. */
export async function listQueue(client: Client, hash: string, max = QUEUE_MAX): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: waitingFor(hash), pageSize: 100 })) {
    found.push(info);
    if (found.length >= max + 1) break;
  }
  return found;
}

/** Maps `items` with at most `n` calls of `fn` in flight; results in order. */
async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, run));
  return out;
}

/** The case as a queue entry for `address`, when it still waits for them (visibility may lag a moment). */
function entryOf(
  state: CaseState,
  info: WorkflowExecutionInfo,
  address: string,
  decideUrl: (c: LinkClaims['c'], level: number) => string,
): QueueEntry | undefined {
  const approver = caseApprover(state, address);
  const waiting = state.status === 'awaiting-decision' && !state.decision && !state.withdrawn;
  if (!approver || !waiting || approver.level !== state.level) return undefined;
  return {
    caseId: state.caseId,
    priority: state.assessment.priority,
    reasons: state.assessment.reasons,
    subject: state.subject,
    customer: state.customer.name || state.customer.address,
    promisedBy: state.promisedBy,
    receivedAt: info.startTime.toISOString(),
    escalated: state.timeline.some((e) => e.event === 'mail:escalation'),
    stalled: info.typedSearchAttributes.get(StalledKey) === true,
    asking: state.infoRequest !== undefined && !state.infoRequest.closed,
    decideUrl: decideUrl(state.caseId, approver.level),
  };
}

export function registerQueueRoutes(app: FastifyInstance, links: CaseLinks): void {
  const { o } = links;
  const secrets = [o.linkSecret, ...(o.previousLinkSecrets ?? [])];
  app.get<{ Params: { token: string } }>(
    '/queue/:token',
    { onRequest: links.guard.check },
    async (req: FastifyRequest<{ Params: { token: string } }>, reply) => {
      const t = LINK_TEXT[o.language];
      const now = Date.now();
      const v = verifyLink(secrets, req.params.token, now);
      if (!v.ok && v.reason === 'expired') return send(reply, 410, notice(o.language, t.expired));
      if (!v.ok || v.claims.p !== 'queue') {
        await links.guard.failed(req);
        return send(reply, 400, notice(o.language, t.invalid));
      }
      const { a: address, x: expiry } = v.claims;
      const infos = await listQueue(o.client, approverKey(o.linkSecret, address));
      const shown = infos.slice(0, QUEUE_MAX);
      // Each decision link is sealed afresh for its case and level, and expires with the queue link.
      const decideUrl = (c: string, l: number): string =>
        `../decide/${signLink(o.linkSecret, { c, a: address, l, p: 'decide', x: expiry })}`;
      const states = await mapLimit(
        shown,
        QUERY_CONCURRENCY,
        (info) =>
          o.client.workflow
            .getHandle(info.workflowId)
            .query(caseStateQuery)
            .catch(() => undefined), // completed in between: no longer waiting
      );
      const entries: QueueEntry[] = [];
      let person: { name: string; language: TLanguage } | undefined;
      states.forEach((state, i) => {
        if (!state) return;
        person ??= caseApprover(state, address) ?? findApprover(state.ladder, address);
        const entry = entryOf(state, shown[i]!, address, decideUrl);
        if (entry) entries.push(entry);
      });
      const html = queuePage({
        language: person?.language ?? o.language,
        person: person?.name ?? address,
        entries,
        timeZone: o.timeZone,
        now,
        truncated: infos.length > QUEUE_MAX,
      });
      return send(reply, 200, html);
    },
  );
}
