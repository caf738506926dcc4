/**
 * The workflow tier's setup: ComplaintWorkflow on the run's real Temporal dev server (there is no time-skipping
 * server here, so policies use second-scale durations), a Worker on its own task queue with the prebuilt bundle,
 * and recording activities in place of mail. Each case is one unique workflow; its mails are recorded under its
 * case id, so the tests of a file may run concurrently on one worker.
 *
 * Only the public surface is used: the workflow type name, the messages of workflows/messages.ts, the types of
 * workflows/case.ts and the activity interface of activities/index.ts. Not a test file (no `.test.ts`).
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import type { createActivities } from '../../activities/index.js';
import { FAILURE_CONVERTER_PATH } from '../../worker/codec.js';
import { parsePolicy, policySnapshot } from '../../worker/policy.js';
import type { CaseState, ComplaintInput, TMailKind } from '../../workflows/case.js';
import { ErrorCode } from '../../workflows/error-codes.js';
import type { DigestEntry } from '../../workflows/digest-model.js';
import { absenceQuery, awaySignal, remindSignal } from '../../workflows/digest.js';
import { approverAwaySignal, caseStateQuery, customerReplySignal, type InboundMail } from '../../workflows/messages.js';
import { testPolicyYaml, workflowBundle, type TestPeople } from '../helpers/app.js';

type TActivities = ReturnType<typeof createActivities>;
type TCaseMailRequest = Parameters<TActivities['sendCaseMail']>[0];
/** The workflow's signature, by its registered type name only (the module behind it may move). */
type TComplaintWorkflow = (input: ComplaintInput) => Promise<CaseState>;

/** Nobody receives mail in this tier: fixed addresses keep the assertions readable. */
export const people: TestPeople = {
  support: 'kundenservice@muster-versand.example',
  supervisor: 'sabine.schulz@muster-versand.example',
  manager: 'markus.weber@muster-versand.example',
  customer: 'erika.mueller@kunden.example',
};

const ROLE_OF: Record<string, string> = {
  [people.customer]: 'customer',
  [people.supervisor]: 'supervisor',
  [people.manager]: 'manager',
};

/** One call of `sendCaseMail` as the activity saw it. */
export interface RecordedMail {
  kind: TMailKind;
  seq: number;
  /** The recipient's address. */
  to: string;
  /** `customer`, `supervisor` or `manager` (or the address of anyone else). */
  who: string;
  /** Whether the recording activity refused it as the SMTP server would (`SmtpRejected`). */
  refused: boolean;
  request: TCaseMailRequest;
}

interface CaseRecord {
  mails: RecordedMail[];
  /** The `digest` option it was opened with: visibility's ApproverHash in this tier. */
  digest?: string;
  refuse?: TMailKind;
  hold?: TMailKind;
  slow?: { kind: TMailKind; until: TMailKind; overlapped?: boolean };
}

export interface OpenOptions {
  /** Policy durations, e.g. `{ reminderAfter: '2s' }` (the rest: 10m/8m/9m and followUpAfter 2s). */
  durations?: Partial<Record<string, string>>;
  /** The activity refuses mails of this kind with an `SmtpRejected` failure, as a permanent SMTP refusal. */
  refuse?: TMailKind;
  /** The activity holds mails of this kind with a `MailBudgetExceeded` failure (the address's budget is used up). */
  hold?: TMailKind;
  subject?: string;
  text?: string;
  /**
   * Reminds through digests: the ladder's keys are `<digest>01` (supervisor) and `<digest>02` (manager), so the
   * cases opened with the same value share their approvers' digest workflows (hex, e.g. randomBytes(6)).
   */
  digest?: string;
  /** YAML appended to the story policy, e.g. `reminders: { maxReminders: 3 }`. */
  policy?: string;
  /** The supervisor's deputy (policy `deputy`), named Thomas Vogel. */
  deputy?: string;
  /** The policy's decisionUndoWindow, e.g. `3s` (default 0: decisions are final at once). */
  undoWindow?: string;
  /** Upsert the search attributes (the run's dev server registers them); default off. */
  searchAttributes?: boolean;
  /**
   * The activity's send of `kind` lasts until a mail of `until` was recorded (at most 5 s), as a slow SMTP submission
   * would; StoryCase.overlapped() then says whether `until` was asked for while `kind` was still going out.
   */
  slow?: { kind: TMailKind; until: TMailKind };
}

/** One digest mail as the recording activity saw it. */
export interface RecordedDigest {
  key: string;
  /** `supervisor` or `manager`. */
  who: string;
  entries: DigestEntry[];
}

/** A running case and what it has sent. */
export interface StoryCase {
  caseId: string;
  handle: WorkflowHandle<TComplaintWorkflow>;
  /** Every recorded mail, in the order the activity was called. */
  mails: RecordedMail[];
  /** The mails as `kind → who`, e.g. `approval-request → supervisor`, in the case's order (their seq). */
  trail(): string[];
  /** With the `slow` option: whether its `until` mail was asked for while its `kind` was still going out. */
  overlapped(): boolean | undefined;
  state(): Promise<CaseState>;
  /** Waits until the `n`th mail of `kind` is recorded and returns it. */
  mailed(kind: TMailKind, n?: number): Promise<RecordedMail>;
  /** Polls the case state until `accept` holds. */
  until(accept: (s: CaseState) => boolean, what: string): Promise<CaseState>;
  /** Sends the `customerReply` signal with a mail from `from`; `answers` and `proof` as intake would set them. */
  reply(from: string, text: string, extra?: Pick<InboundMail, 'answers' | 'proof'>): Promise<void>;
}

export interface Story {
  open(options?: OpenOptions): Promise<StoryCase>;
  /** Every digest mail recorded so far for approver keys starting with `digest`. */
  digests(digest: string): RecordedDigest[];
}

const DEADLINE_MS = 30_000;
const POLL_MS = 100;

/** Polls `probe` until it returns a value, or fails after the deadline saying what was awaited. */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${DEADLINE_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Registers beforeAll/afterAll for a test file: one environment, one worker on a fresh task queue, and the
 * cases it opened terminated at the end (a case waiting minutes for a reminder must not outlive its test).
 */
export function useStory(): Story {
  const cases = new Map<string, CaseRecord>();
  const digests: RecordedDigest[] = [];
  const digestIds = new Set<string>();
  const handles: Array<WorkflowHandle<TComplaintWorkflow>> = [];
  const taskQueue = `story-${randomBytes(4).toString('hex')}`;
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const activities = {
    async sendCaseMail(req: TCaseMailRequest): Promise<{ messageId: string }> {
      const record = cases.get(req.case.caseId);
      if (!record) throw new Error(`mail for a case this test did not open: ${req.case.caseId}`);
      const to = req.to === 'customer' ? req.case.customer.address : req.to.address;
      const refused = record.refuse === req.kind;
      record.mails.push({ kind: req.kind, seq: req.seq, to, who: ROLE_OF[to] ?? to, refused, request: req });
      const { slow } = record;
      if (slow?.kind === req.kind) {
        const came = (): boolean => record.mails.some((m) => m.kind === slow.until);
        for (const end = Date.now() + 5_000; !came() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
        slow.overlapped = came();
      }
      if (record.hold === req.kind) {
        throw ApplicationFailure.create({
          type: ErrorCode.MailBudgetExceeded,
          message: "30 automatic mails to this address within the budget's window",
          nonRetryable: true,
        });
      }
      if (refused) {
        throw ApplicationFailure.create({
          type: ErrorCode.SmtpRejected,
          message: `SMTP server refused the mail to ${to}: 550 5.1.1 mailbox unavailable`,
          nonRetryable: true,
        });
      }
      return { messageId: `<${req.case.caseId}.${req.seq}@story.example>` };
    },
    async remindInDigest(r: Parameters<TActivities['remindInDigest']>[0]): Promise<void> {
      const { client, info } = Context.current();
      await client.workflow.signalWithStart('DigestWorkflow', {
        workflowId: `story-${r.workflowId}`,
        taskQueue: info.taskQueue,
        args: [r.args],
        signal: remindSignal,
        signalArgs: [r.entry],
      });
    },
    async sendDigestMail(req: Parameters<TActivities['sendDigestMail']>[0]): Promise<{ listed: number }> {
      digests.push({ key: req.key, who: ROLE_OF[req.approver.address] ?? req.approver.address, entries: req.entries });
      return { listed: req.entries.length };
    },
    async tellAway(a: Parameters<TActivities['tellAway']>[0]): Promise<number> {
      const { client, info } = Context.current();
      await client.workflow.signalWithStart('DigestWorkflow', {
        workflowId: `story-digest-${a.key}`,
        taskQueue: info.taskQueue,
        args: [a.digest],
        signal: awaySignal,
        signalArgs: [{ until: a.until, reason: a.reason }],
      });
      // Visibility stands in: the other cases opened with the same digest keys (the same approvers).
      const group = a.key.slice(0, -2);
      const others = handles.filter(
        (h) => h.workflowId !== `story-${a.except}` && cases.get(h.workflowId.slice(6))?.digest === group,
      );
      const away = { address: a.address, until: a.until, reason: a.reason };
      await Promise.all(others.map((h) => h.signal(approverAwaySignal, away).catch(() => undefined)));
      return others.length;
    },
    async absenceOf(a: Parameters<TActivities['absenceOf']>[0]): ReturnType<TActivities['absenceOf']> {
      const absence = await Context.current()
        .client.workflow.getHandle(`story-digest-${a.key}`)
        .query(absenceQuery)
        .catch(() => null);
      return absence ?? undefined;
    },
    async watchMailbox(): Promise<never> {
      throw ApplicationFailure.create({ message: 'intake does not run in the workflow tier', nonRetryable: true });
    },
  } satisfies TActivities;

  beforeAll(async () => {
    const failureConverter = { failureConverterPath: FAILURE_CONVERTER_PATH };
    env = await TestWorkflowEnvironment.createFromExistingServer({
      address: inject('temporalAddress'),
      client: { dataConverter: failureConverter },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
      dataConverter: failureConverter,
    });
    running = worker.run();
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.terminate('test over').catch(() => undefined)));
    await Promise.all(
      [...digestIds].map((id) =>
        env?.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  return {
    digests: (digest) => digests.filter((d) => d.key.startsWith(digest)),
    async open(options: OpenOptions = {}): Promise<StoryCase> {
      if (!env) throw new Error('useStory(): open() runs inside a test');
      const caseId = `S${randomBytes(5).toString('hex').toUpperCase()}`;
      const record: CaseRecord = {
        mails: [],
        ...(options.digest ? { digest: options.digest } : {}),
        ...(options.refuse ? { refuse: options.refuse } : {}),
        ...(options.hold ? { hold: options.hold } : {}),
        ...(options.slow ? { slow: { ...options.slow } } : {}),
      };
      cases.set(caseId, record);
      const policy = parsePolicy(
        `${testPolicyYaml(people, options.durations, {
          ...(options.deputy ? { supervisorDeputy: options.deputy } : {}),
          ...(options.undoWindow ? { decisionUndoWindow: options.undoWindow } : {}),
        })}${options.policy ?? ''}\n`,
        'story policy',
      );
      if (options.digest) for (const n of ['01', '02']) digestIds.add(`story-digest-${options.digest}${n}`);
      const messageId = `<beschwerde-${caseId.toLowerCase()}@kunden.example>`;
      const input: ComplaintInput = {
        caseId,
        mailbox: 'INBOX',
        receivedAt: new Date().toISOString(),
        messageId,
        references: [],
        customer: { name: 'Erika Müller', address: people.customer },
        customerKey: `key-${caseId}`,
        ...(options.digest
          ? {
              approverKeys: {
                [people.supervisor]: `${options.digest}01`,
                [people.manager]: `${options.digest}02`,
                ...(options.deputy ? { [options.deputy]: `${options.digest}03` } : {}),
              },
            }
          : {}),
        subject: options.subject ?? 'Lieferung beschädigt',
        text: options.text ?? 'Guten Tag,\n\ndas Paket kam beschädigt an.\n\nErika Müller',
        language: 'de',
        attachments: [],
        policy: policySnapshot(policy),
        acknowledge: true,
        archive: { mailbox: 'INBOX', folder: 'Archiv', messageId },
        // Digests need the queue's search attributes (the run's dev server registers them).
        searchAttributes: options.searchAttributes ?? options.digest !== undefined,
      };
      const handle = await env.client.workflow.start<TComplaintWorkflow>('ComplaintWorkflow', {
        taskQueue,
        workflowId: `story-${caseId}`,
        args: [input],
      });
      handles.push(handle);
      const state = (): Promise<CaseState> => handle.query(caseStateQuery);
      let replies = 0;
      return {
        caseId,
        handle,
        mails: record.mails,
        // By seq (a stable sort keeps a retry beside its first try): mails asked for together may start in any order.
        trail: () => [...record.mails].sort((a, b) => a.seq - b.seq).map((m) => `${m.kind} → ${m.who}`),
        overlapped: () => record.slow?.overlapped,
        state,
        mailed: (kind, n = 1) =>
          eventually(
            () => record.mails.filter((m) => m.kind === kind)[n - 1],
            `mail #${n} of kind ${kind} (sent so far: ${record.mails.map((m) => m.kind).join(', ') || 'none'})`,
          ),
        until: (accept, what) =>
          eventually(async () => {
            const s = await state();
            return accept(s) ? s : undefined;
          }, what),
        reply: async (from, text, extra = {}) => {
          replies += 1;
          await handle.signal(customerReplySignal, {
            messageId: `<reply-${replies}-${caseId.toLowerCase()}@example>`,
            receivedAt: new Date().toISOString(),
            from,
            subject: `Re: [Fall ${caseId}] ${input.subject}`,
            text,
            ...extra,
          });
        },
      };
    },
  };
}
