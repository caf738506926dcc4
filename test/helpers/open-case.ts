/**
 * The prelude of most end-to-end tests: a complaint sent by SMTP, its acknowledgment in the customer's mailbox
 * and the first approval request in the approver's, matched by case number so that later mails of the same
 * case (reminders, escalations) or other cases of the file are never mistaken for them.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { ParsedMail } from 'mailparser';
import { workflowIdFor } from '../../activities/identity.js';
import type { ComplaintWorkflow } from '../../workflows/index.js';
import type { TestApp, TestPeople } from './app.js';
import { decisionLink, sendViaSmtp, waitForMail } from './mail.js';

export interface OpenedCase {
  caseId: string;
  /** Message-ID of the complaint. */
  messageId: string;
  /** The acknowledgment in the customer's mailbox. */
  ack: ParsedMail;
  /** The first approval request in the approver's mailbox. */
  request: ParsedMail;
  /** The decision link of that request. */
  link: string;
  handle: WorkflowHandle<typeof ComplaintWorkflow>;
}

export interface OpenCaseOptions {
  text?: string;
  /** Who is asked first (default: the supervisor, the first rung of the test policy). */
  approver?: string;
}

/**
 * Sends a complaint from `customer` (an address, or `"Name" <address>`) and waits for its acknowledgment and
 * approval request.
 */
export async function openCase(
  app: TestApp,
  people: TestPeople,
  customer: string = people.customer,
  subject = 'Gerät defekt',
  options: OpenCaseOptions = {},
): Promise<OpenedCase> {
  const messageId = `<case-${randomBytes(6).toString('hex')}@kunden.example.test>`;
  await sendViaSmtp({
    from: customer,
    to: people.support,
    subject,
    text: options.text ?? 'Guten Tag,\n\nbitte helfen Sie mir.\n',
    messageId,
  });
  const mailbox = customer.match(/<([^>]+)>/)?.[1] ?? customer;
  const [ack] = await waitForMail(mailbox, (m) => m.inReplyTo === messageId);
  const caseId = String(ack!.headers.get('x-nachfass-case'));
  // "[Fall X] Freigabe erbeten: …", not "[Fall X] Erinnerung: Freigabe erbeten: …".
  const [request] = await waitForMail(
    options.approver ?? people.supervisor,
    (m) =>
      m.headers.get('x-nachfass-case') === caseId &&
      /^\[[^\]]+\] (Freigabe erbeten|Approval needed)/.test(m.subject ?? ''),
  );
  return {
    caseId,
    messageId,
    ack: ack!,
    request: request!,
    link: decisionLink(request!),
    handle: app.client.workflow.getHandle<typeof ComplaintWorkflow>(workflowIdFor(caseId)),
  };
}
