/**
 * The watched folders of the mailbox and their intake workflows: one per folder, each with its defaults from the
 * policy (language, team), under a fixed workflow id so that a second worker replica joins the running one.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { MailboxSettings } from '../activities/intake/mailbox.js';
import type { IntakeWorkflow } from '../workflows/intake.js';
import type { TConfig } from './config.js';
import type { TPolicy } from './policy.js';

/** One intake per watched folder, each with its defaults from the policy (language, team). */
export function mailboxesOf(config: TConfig, policy: TPolicy): MailboxSettings[] {
  const { folders, ...account } = config.mailbox;
  return folders.map((folder) => {
    const defaults = policy.mailboxes[folder] ?? {};
    return {
      ...account,
      key: `${account.user}/${folder}`,
      folder,
      language: defaults.language ?? account.language,
      ...(defaults.team ? { team: defaults.team } : {}),
    };
  });
}

export function intakeWorkflowId(mailboxKey: string): string {
  return `intake-${mailboxKey.replace(/[^A-Za-z0-9@._-]+/g, '-')}`;
}

/** One intake workflow per watched folder (a second worker replica joins the running one); their ids. */
export async function startIntakes(client: Client, config: TConfig, boxes: MailboxSettings[]): Promise<string[]> {
  const intakeIds = boxes.map((b) => intakeWorkflowId(b.key));
  for (const [i, b] of boxes.entries()) {
    await client.workflow.start<typeof IntakeWorkflow>('IntakeWorkflow', {
      workflowId: intakeIds[i]!,
      taskQueue: config.temporal.taskQueue,
      args: [{ mailbox: b.key, runFor: config.intake.runFor, heartbeatTimeout: config.intake.heartbeatTimeout }],
      // One intake per mailbox: a second worker replica joins the running one.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
  }

  return intakeIds;
}
